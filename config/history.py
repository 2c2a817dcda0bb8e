"""Model history (django-simple-history), with the history manager's class built once per model, and each
historical row written by `config.rows.save_new`.

simple_history's `HistoryDescriptor` builds a new manager class (`HistoryManager.from_queryset(...)`, which
walks the queryset class with `inspect.getmembers`) on every read of `Model.history` or `instance.history`, and
it reads `instance.history` to write every historical row: about 0.5 ms of a seat hold in the profile (issue 15).
The class depends only on the model, so here it is built on first use and kept; each read still gets its own
manager, bound to the instance it was read from, as before.

`create_historical_record` is simple_history's (3.13, pinned in requirements.txt), but for the historical row's
save: `save_new` sends the same signals and writes the same row from an INSERT built once per historical model,
not compiled for every row (about 0.3 ms of Python a row; a seat hold writes one). tests/test_rows.py compares
its rows and signals with the library's own.
"""

from __future__ import annotations

from functools import cached_property

from django.utils import timezone
from simple_history import models as history_models
from simple_history.manager import HistoryDescriptor
from simple_history.signals import post_create_historical_record, pre_create_historical_record

from config.rows import save_new


class OnceBuiltHistoryDescriptor(HistoryDescriptor):
    @cached_property
    def manager(self) -> type:
        return self.manager_class.from_queryset(self.queryset_class)

    def __get__(self, instance, owner):
        return self.manager(self.model, instance)


# Each tracked model's HistoricalRecords (their history rows' writer), by model.
RECORDS: dict[type, history_models.HistoricalRecords] = {}


class HistoricalRecords(history_models.HistoricalRecords):
    """`simple_history.models.HistoricalRecords`, whose `history` descriptor is an OnceBuiltHistoryDescriptor."""

    def finalize(self, sender, **kwargs):
        super().finalize(sender, **kwargs)
        descriptor = sender.__dict__.get(self.manager_name)
        if sender is self.cls:
            RECORDS[sender] = self
        if sender is self.cls and type(descriptor) is HistoryDescriptor:
            setattr(
                sender,
                self.manager_name,
                OnceBuiltHistoryDescriptor(
                    descriptor.model, manager=descriptor.manager_class, queryset=descriptor.queryset_class
                ),
            )

    def create_historical_record(self, instance, history_type, using=None):
        """simple_history 3.13's, with the historical row written by `save_new` (the library saves it with
        `history_instance.save(using=using)`; a row meant for another database than the router's is saved so)."""
        using = using if self.use_base_model_db else None
        history_date = getattr(instance, "_history_date", timezone.now())
        history_user = self.get_history_user(instance)
        history_change_reason = self.get_change_reason_for_object(instance, history_type, using)
        manager = getattr(instance, self.manager_name)

        attrs = {}
        for field in self.fields_included(instance):
            attrs[field.attname] = getattr(instance, field.attname)

        relation_field = getattr(manager.model, "history_relation", None)
        if relation_field is not None:
            attrs["history_relation"] = instance

        history_instance = manager.model(
            history_date=history_date,
            history_type=history_type,
            history_user=history_user,
            history_change_reason=history_change_reason,
            **attrs,
        )
        signal_kwargs = {
            "sender": manager.model, "instance": instance, "history_date": history_date, "history_user": history_user,
            "history_change_reason": history_change_reason, "history_instance": history_instance, "using": using,
        }
        pre_create_historical_record.send(**signal_kwargs)
        if using is None:
            save_new(history_instance)
        else:
            history_instance.save(using=using)
        self.create_historical_record_m2ms(history_instance, instance)
        post_create_historical_record.send(**signal_kwargs)
