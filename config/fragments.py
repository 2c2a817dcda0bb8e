"""What every visitor sees alike, kept for a few seconds and dropped on every change (issue 15).

The catalog page spent most of its time rendering the same table for everyone, the flights API's lists
building the same rows for every client, the flight page drawing the same profile. A fragment (`cached`: a
page's HTML, an API page's data) is kept in this process's memory, tagged with the public version when it was
rendered, and served again only while that version holds:

- any save or delete of a model an app `watch`es (flights, itineraries, vehicles, vehicle models and
  spaceports by the flights app; bookings and waitlist entries by the booking app) drops this process's
  fragments at once, and after the transaction commits writes a new shared version into the default cache
  (`CACHES["default"]`), which every process and host reads once per request (one cache read) before it
  serves a fragment;
- a fragment lives at most `FRAGMENT_CACHE_SECONDS` (30 s) whatever happens: the time-driven changes (a hold
  or waitlist offer lapsing before the sweep expires it, a flight reaching its launch time) and a cache outage
  that lost a version write show within that time. The decisions themselves (a hold, a waitlist offer) never
  read a fragment: they count seats under the flight's lock.

The version is read before rendering, so a fragment rendered while a change commits carries the older version
and is not served after the change's new version is written. With the cache down (its read fails) every
request renders and nothing is kept: a change on another host would otherwise go unseen.
"""

from __future__ import annotations

import hashlib
import itertools
import uuid
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache
from django.db.models.signals import post_delete, post_save

from config.cache import UNREACHABLE
from config.transactions import on_commit_once

T = TypeVar("T")
VERSION_KEY = "fragments:version"
_fragments = LocMemCache("public-fragments", {"MAX_ENTRIES": 500, "CULL_FREQUENCY": 4})
_local_changes = itertools.count(1)
_local_generation = 0


def cached(name: str, parts: tuple, render: Callable[[], T]) -> T:
    """`render()`'s result (HTML, or a list's serialized data), or the one kept under (name, parts) if no watched
    model changed since. `parts` must name everything the result depends on besides watched rows (the query,
    the host for links). An exception in `render()` (a refusal) is raised, never kept."""
    seconds = settings.FRAGMENT_CACHE_SECONDS
    if seconds <= 0:
        return render()
    version = _shared_version()
    if version is UNREACHABLE:  # another host's change could go unseen: keep nothing, serve nothing kept
        return render()
    tag = (version, _local_generation)  # before rendering: a change meanwhile makes it stale
    key = f"{name}:" + hashlib.sha256(repr(parts).encode()).hexdigest()
    kept = _fragments.get(key)
    if kept is not None and kept[0] == tag:
        return kept[1]
    html = render()
    _fragments.set(key, (tag, html), seconds)
    return html


def _shared_version():
    """The shared version (None before any change has written one), or UNREACHABLE when the cache does not
    answer: every backend fails open (config/cache.py), and a plain read would make an outage look like "no
    change yet"."""
    read = getattr(cache, "get_checked", None)
    return read(VERSION_KEY) if read is not None else cache.get(VERSION_KEY)


def _write_shared_version() -> None:
    cache.set(VERSION_KEY, uuid.uuid4().hex, None)  # fails open: the fragments' lifetime still bounds staleness


def changed(**kwargs) -> None:
    """A save or delete of a watched model: this process's fragments are stale now, every other process's once
    the change commits."""
    global _local_generation
    _local_generation = next(_local_changes)
    on_commit_once(_write_shared_version, robust=True)  # one shared write per transaction, however many saves


def watch(*models) -> None:
    """Fragments show these models' rows: any save or delete of one drops them (each app, from its ready())."""
    for model in models:
        for name, signal in (("saved", post_save), ("deleted", post_delete)):
            signal.connect(changed, sender=model, dispatch_uid=f"fragments.{model._meta.label}.{name}")
