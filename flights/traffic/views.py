"""Portal pages of the space traffic app: the conjunction board, an event, CDM upload, decisions.

Flight directors and operations only. Every write goes through the services; a refusal is shown as
the service's message (a bad CDM names its line and field).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from flights import roles
from flights.exceptions import DomainError
from flights.traffic import charts, selectors, services, tiers
from flights.traffic.forms import CdmUploadForm, CloseForm, DecisionForm
from flights.traffic.models import ConjunctionEvent

TIER_ORDER = {tiers.RED: 0, tiers.YELLOW: 1, tiers.GREEN: 2}


def _require_staff(user) -> None:
    if not roles.user_has_any_role(user, (roles.FLIGHT_DIRECTOR, roles.OPERATIONS)):
        raise PermissionDenied("The conjunction board is for flight directors and operations.")


@login_required
def board(request):
    _require_staff(request.user)
    now = timezone.now()
    events = list(selectors.event_queryset().filter(status=ConjunctionEvent.Status.OPEN))
    events.sort(key=lambda e: (TIER_ORDER[e.tier], e.tca))
    rows = [
        {"event": e, "seconds_left": int((e.tca - now).total_seconds()), "needs_decision":
         services.decision_needed(e, list(e.decisions.all()))}
        for e in events
    ]
    return render(request, "traffic/board.html", {"rows": rows, "upload_form": CdmUploadForm(), "now": now,
                                                  "screening": selectors.latest_screening()})


@login_required
def event_detail(request, pk: int):
    _require_staff(request.user)
    event = get_object_or_404(selectors.event_queryset(), pk=pk)
    event = selectors.event_with_updates(event.pk)
    updates = list(event.updates.all())
    decisions = list(event.decisions.all())
    used = [u for u in updates if not u.superseded]
    latest = used[-1] if used else None
    thresholds = tiers.thresholds_for(event.protected.flight.vehicle.model.name)
    context = {
        "event": event,
        "updates": updates,
        "decisions": decisions,
        "current_decision": services.current_decision(event, decisions),
        "needs_decision": services.decision_needed(event, decisions),
        "seconds_left": int((event.tca - timezone.now()).total_seconds()),
        "trend_svg": charts.pc_trend_svg(used, red_pc=thresholds.red_pc, yellow_pc=thresholds.yellow_pc),
        "plane_svg": charts.encounter_plane_svg(
            miss_m=latest.plane_miss_m if latest else [], covariance_m2=latest.plane_covariance_m2 if latest else [],
            hbr_m=event.hbr_m,
        ),
        "is_director": roles.user_has_role(request.user, roles.FLIGHT_DIRECTOR),
        "decision_form": DecisionForm(initial={"meaning": services.default_meaning("monitor")}),
        "close_form": CloseForm(),
        "thresholds": thresholds,
    }
    return render(request, "traffic/event_detail.html", context)


@login_required
@require_POST
def cdm_upload(request):
    _require_staff(request.user)
    form = CdmUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "Choose a CDM file to upload.")
        return redirect(reverse("traffic:board"))
    upload = form.cleaned_data["cdm_file"]
    if upload.size > settings.TRAFFIC_CDM_MAX_BYTES:
        messages.error(request, f"The CDM is larger than {settings.TRAFFIC_CDM_MAX_BYTES // 1024} KB.")
        return redirect(reverse("traffic:board"))
    try:
        text = upload.read().decode("utf-8")
    except UnicodeDecodeError:
        messages.error(request, "The CDM is not UTF-8 text: upload the KVN file as sent.")
        return redirect(reverse("traffic:board"))
    try:
        result = services.cdm_import(text=text, received_by=request.user, hbr_m=form.cleaned_data["hbr_m"])
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(reverse("traffic:board"))
    verb = "New event" if result.created else "Event updated"
    messages.success(request, f"{verb}: {result.event} is {result.event.tier}.")
    return redirect(result.event.get_absolute_url())


@login_required
@require_POST
def decision_sign(request, pk: int):
    _require_staff(request.user)
    event = get_object_or_404(ConjunctionEvent.objects.select_related("protected__flight"), pk=pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The decision is incomplete: " + "; ".join(
            f"{name}: {' '.join(errors)}" for name, errors in form.errors.items()))
        return redirect(event.get_absolute_url())
    data = form.cleaned_data

    def utc(value):
        return value.replace(tzinfo=dt.UTC) if value and value.tzinfo is None else value

    try:
        decision = services.decision_record(
            event=event, signer=request.user, password=data["password"], kind=data["kind"], reason=data["reason"],
            meaning=data["meaning"], manoeuvre_at=utc(data["manoeuvre_at"]), delta_v_m_s=data["delta_v_m_s"],
            shelter_at=utc(data["shelter_at"]),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(event.get_absolute_url())
    messages.success(request, f"Decision signed: {decision.get_kind_display()}.")
    return redirect(event.get_absolute_url())


@login_required
@require_POST
def event_close(request, pk: int):
    _require_staff(request.user)
    event = get_object_or_404(ConjunctionEvent, pk=pk)
    form = CloseForm(request.POST)
    try:
        services.event_close(event=event, outcome=form.data.get("outcome", ""), by=request.user)
        messages.success(request, "Event closed.")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(event.get_absolute_url())
