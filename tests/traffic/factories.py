"""Conjunction events made directly (for list pages and query counts); services make them in other tests."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from flights.traffic.models import ConjunctionEvent, ConjunctionUpdate


def make_event(protected, *, tca=None, tier="yellow", pc=3e-5, other="40000", decided_by=None) -> ConjunctionEvent:
    now = timezone.now()
    tca = tca or now + dt.timedelta(days=1)
    event = ConjunctionEvent.objects.create(
        protected=protected, other_designator=other, other_name=f"DEB {other}", tca=tca, miss_distance_m=300.0,
        miss_r_m=50.0, miss_t_m=-280.0, miss_n_m=90.0, relative_speed_m_s=9000.0, pc=pc, pc_method="FOSTER-1992",
        hbr_m=20.0, covariance="given", source="cdm", tier=tier, created_at=now, updated_at=now, tier_since=now,
    )
    for hours, value in ((30, pc / 10), (6, pc)):
        ConjunctionUpdate.objects.create(
            event=event, source="cdm", message_id=f"{other}-{event.pk}-{hours}", received_at=now - dt.timedelta(hours=hours),
            tca=tca, miss_distance_m=300.0, miss_r_m=50.0, miss_t_m=-280.0, miss_n_m=90.0, relative_speed_m_s=9000.0,
            pc=value, pc_method="FOSTER-1992", hbr_m=20.0, covariance="given", tier=tier,
            plane_miss_m=[300.0, 0.0], plane_covariance_m2=[200.0**2, 1000.0, 80.0**2],
        )
    return event
