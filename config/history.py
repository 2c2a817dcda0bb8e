"""Model history (django-simple-history), with the history manager's class built once per model.

simple_history's `HistoryDescriptor` builds a new manager class (`HistoryManager.from_queryset(...)`, which
walks the queryset class with `inspect.getmembers`) on every read of `Model.history` or `instance.history`, and
it reads `instance.history` to write every historical row: about 0.5 ms of a seat hold in the profile (issue 15).
The class depends only on the model, so here it is built on first use and kept; each read still gets its own
manager, bound to the instance it was read from, as before.
"""

from __future__ import annotations

from functools import cached_property

from simple_history import models as history_models
from simple_history.manager import HistoryDescriptor


class OnceBuiltHistoryDescriptor(HistoryDescriptor):
    @cached_property
    def manager(self) -> type:
        return self.manager_class.from_queryset(self.queryset_class)

    def __get__(self, instance, owner):
        return self.manager(self.model, instance)


class HistoricalRecords(history_models.HistoricalRecords):
    """`simple_history.models.HistoricalRecords`, whose `history` descriptor is an OnceBuiltHistoryDescriptor."""

    def finalize(self, sender, **kwargs):
        super().finalize(sender, **kwargs)
        descriptor = sender.__dict__.get(self.manager_name)
        if sender is self.cls and type(descriptor) is HistoryDescriptor:
            setattr(
                sender,
                self.manager_name,
                OnceBuiltHistoryDescriptor(
                    descriptor.model, manager=descriptor.manager_class, queryset=descriptor.queryset_class
                ),
            )
