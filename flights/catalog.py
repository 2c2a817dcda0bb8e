"""The tracked-object catalog: import from a file or the GP feed, and turn rows back into element sets."""

from __future__ import annotations

import dataclasses
import datetime as dt
import urllib.error
import urllib.request

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from flights.exceptions import DomainError, InvalidInput
from flights.models import CatalogImport, TrackedObject
from flights.orbits.element_set import ElementSet
from flights.orbits.elements import parse_elements
from flights.orbits.screening import INHABITABLE_NORAD_IDS, ScreeningObject, UncertaintyPolicy, classify

FEED_TIMEOUT_S = 120
FEED_MAX_BYTES = 64 * 1024 * 1024
USER_AGENT = "spaceline-flightops/1.0 (catalog refresh)"


class CatalogFeedError(DomainError):
    code = "catalog_feed_failed"
    status_code = 502


@dataclasses.dataclass(frozen=True)
class CatalogStatus:
    """The catalog's size and age: the newest import's time (each element set keeps its own epoch)."""

    size: int
    imported_at: dt.datetime | None
    max_age: dt.timedelta
    now: dt.datetime

    @property
    def age(self) -> dt.timedelta | None:
        return None if self.imported_at is None else self.now - self.imported_at

    @property
    def problem(self) -> str:
        """Why screening against this catalog is refused, or "" when it may be used."""
        return catalog_problem(self)


def catalog_problem(status: CatalogStatus) -> str:
    """CatalogStatus.problem, as a function so that `make mutate` mutates it (mutmut skips properties)."""
    if status.size == 0:
        return "The tracked-object catalog is empty: import or refresh it before screening."
    if status.imported_at is None:
        return "The tracked-object catalog has no import on record, so its age is unknown: refresh it."
    if status.age > status.max_age:
        hours = status.age.total_seconds() / 3600
        return (
            f"The tracked-object catalog was last imported {status.imported_at:%Y-%m-%d %H:%M} UTC, {hours:.0f} h ago "
            f"(limit {status.max_age.total_seconds() / 3600:g} h): refresh it before screening."
        )
    return ""


def catalog_max_age() -> dt.timedelta:
    return dt.timedelta(hours=settings.CATALOG_MAX_AGE_HOURS)


def catalog_status(*, now: dt.datetime | None = None) -> CatalogStatus:
    now = now or timezone.now()
    newest = CatalogImport.objects.exclude(finished_at=None).order_by("-finished_at").values_list("finished_at", flat=True)
    return CatalogStatus(size=TrackedObject.objects.count(), imported_at=newest.first(), max_age=catalog_max_age(), now=now)


def uncertainty_policy() -> UncertaintyPolicy:
    """The screening's element-age limit and error growth, from settings."""
    return UncertaintyPolicy(
        max_element_age_days=settings.SCREENING_MAX_ELEMENT_AGE_DAYS,
        in_track_growth_km_per_day=settings.SCREENING_ERROR_GROWTH_KM_PER_DAY,
    )


def element_set_of(obj: TrackedObject) -> ElementSet:
    fields = dict(obj.mean_elements)
    fields["epoch"] = dt.datetime.fromisoformat(fields["epoch"])
    return ElementSet(**fields)


def screening_object_of(obj: TrackedObject) -> ScreeningObject:
    inhabitable_ids = {obj.norad_id} if obj.inhabitable else set()
    return classify(element_set_of(obj), inhabitable_ids=inhabitable_ids)


def tracked_object_fields(elements: ElementSet) -> dict:
    stored = dataclasses.asdict(elements)
    stored["epoch"] = elements.epoch.isoformat()
    return {
        "name": elements.name[:80],
        "international_designator": elements.international_designator[:16],
        "object_type": elements.object_type,
        "epoch": elements.epoch,
        "line1": elements.line1,
        "line2": elements.line2,
        "mean_elements": stored,
        "perigee_km": min(elements.perigee_km, elements.apogee_km),
        "apogee_km": max(elements.perigee_km, elements.apogee_km),
    }


def catalog_import_text(*, text: str, source: str, now: dt.datetime | None = None) -> CatalogImport:
    """Load element sets (TLE/3LE, OMM CSV or JSON) into the catalog.

    Newer epochs replace older ones; an older or equal epoch leaves the row alone. Entries that
    cannot be read are kept in the import's `errors` with their line numbers, never dropped silently.
    The inhabitable flag set by operations is kept; the two crewed stations are flagged by default.
    """
    clock = timezone.now()
    now = now or clock
    parsed = parse_elements(text)
    if not parsed.elements and parsed.errors:
        first = parsed.errors[0]
        raise InvalidInput(
            f"No element set could be read from {source}: line {first.line_number}: {first.message}",
            code="catalog_unreadable",
        )
    latest: dict[int, ElementSet] = {}
    for elements in parsed.elements:
        known = latest.get(elements.norad_id)
        if known is None or elements.epoch > known.epoch:
            latest[elements.norad_id] = elements
    record = CatalogImport(source=source[:500], started_at=now)
    with transaction.atomic():
        existing = {o.norad_id: o for o in TrackedObject.objects.select_for_update().filter(norad_id__in=list(latest))}
        to_create, to_update = [], []
        for norad_id, elements in latest.items():
            row = existing.get(norad_id)
            if row is None:
                to_create.append(
                    TrackedObject(norad_id=norad_id, inhabitable=norad_id in INHABITABLE_NORAD_IDS, **tracked_object_fields(elements))
                )
            elif elements.epoch > row.epoch:
                for name, value in tracked_object_fields(elements).items():
                    setattr(row, name, value)
                to_update.append(row)
        TrackedObject.objects.bulk_create(to_create, batch_size=2000)
        if to_update:
            TrackedObject.objects.bulk_update(to_update, list(tracked_object_fields(next(iter(latest.values())))), batch_size=2000)
        record.created, record.updated = len(to_create), len(to_update)
        record.unchanged = len(latest) - len(to_create) - len(to_update)
        record.errors = [{"line": e.line_number, "message": e.message} for e in parsed.errors]
        # The import's time is the catalog's age: `now` (default the clock) plus the time the import took.
        record.finished_at = now + (timezone.now() - clock)
        record.save()
    return record


def catalog_refresh_from_feed(*, url: str | None = None, now: dt.datetime | None = None) -> CatalogImport:
    """Fetch the GP feed (CelesTrak's TLE, OMM CSV or OMM JSON formats) and import it."""
    url = url or settings.CATALOG_FEED_URL
    if not url:
        raise InvalidInput("No catalog feed is configured: set CATALOG_FEED_URL.", code="catalog_feed_not_configured")
    if not url.startswith(("https://", "http://")):
        raise InvalidInput(f"The catalog feed URL must be http(s), got {url!r}.", code="catalog_feed_not_configured")
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "*/*"})
    try:
        with urllib.request.urlopen(request, timeout=FEED_TIMEOUT_S) as response:  # noqa: S310 (scheme checked)
            body = response.read(FEED_MAX_BYTES + 1)
            charset = response.headers.get_content_charset() or "utf-8"
    except urllib.error.HTTPError as exc:
        raise CatalogFeedError(f"The catalog feed answered HTTP {exc.code} {exc.reason} for {url}.") from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise CatalogFeedError(f"The catalog feed at {url} could not be reached: {reason}.") from exc
    if len(body) > FEED_MAX_BYTES:
        raise CatalogFeedError(f"The catalog feed at {url} sent more than {FEED_MAX_BYTES // 2**20} MiB; refused.")
    try:
        text = body.decode(charset)
    except (UnicodeDecodeError, LookupError) as exc:
        raise CatalogFeedError(f"The catalog feed at {url} did not send readable text.") from exc
    return catalog_import_text(text=text, source=url, now=now)
