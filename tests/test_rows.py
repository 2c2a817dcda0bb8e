"""config.rows.save_new and config.history's historical rows: what they write is what save() and simple_history
write (the seat hold writes its booking, history and status change this way, issue 15)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Lower
from django.db.models.signals import post_save, pre_save
from django.utils import timezone
from simple_history import models as history_models
from simple_history.signals import post_create_historical_record, pre_create_historical_record

from config.history import RECORDS
from config.rows import insert_once, save_new
from flights.models import Notification
from tourism.models import PassengerProfile

pytestmark = pytest.mark.django_db

SKIPPED = {"id", "user_id", "created_at", "updated_at", "history_id", "history_date"}


def _profile(name: str) -> PassengerProfile:
    user = get_user_model().objects.create_user(username=name, email=f"{name}@example.test")
    return PassengerProfile(
        user=user, legal_name="Ada Lovelace", date_of_birth=dt.date(1985, 12, 10), nationality="GB",
        passport_number="X1234567", mass_kg=Decimal("61.5"), height_cm=168, emergency_contact="Byron, +44 20 0000",
    )


def _row(model, pk, key="id") -> dict:
    return {k: v for k, v in model.objects.filter(**{key: pk}).values().get().items() if k not in SKIPPED}


def test_save_new_writes_the_row_and_the_history_row_that_save_writes():
    saved, fast = _profile("saved"), _profile("fast")
    saved._history_user = fast._history_user = saved.user
    before = timezone.now()
    saved.save()
    save_new(fast)

    assert fast.pk is not None and fast.pk != saved.pk and not fast._state.adding and fast._state.db == "default"
    assert _row(PassengerProfile, fast.pk) == _row(PassengerProfile, saved.pk)
    stored = PassengerProfile.objects.get(pk=fast.pk)
    assert before <= stored.created_at == fast.created_at and before <= stored.updated_at  # auto_now_add, auto_now
    history = PassengerProfile.history.model
    assert _row(history, fast.pk) == _row(history, saved.pk)
    assert history.objects.get(id=fast.pk).history_type == "+"
    assert history.objects.get(id=fast.pk).history_user_id == saved.user.pk


def test_save_new_sends_the_signals_save_sends_with_the_row_written():
    seen = []

    def before(sender, instance, **kwargs):
        seen.append(("pre_save", instance.pk, kwargs["raw"], kwargs["update_fields"]))

    def after(sender, instance, **kwargs):
        assert PassengerProfile.objects.filter(pk=instance.pk).exists()
        seen.append(("post_save", instance.pk, kwargs["created"], kwargs["raw"], kwargs["update_fields"]))

    pre_save.connect(before, sender=PassengerProfile, weak=False)
    post_save.connect(after, sender=PassengerProfile, weak=False)
    try:
        profile = _profile("signals")
        save_new(profile)
    finally:
        pre_save.disconnect(before, sender=PassengerProfile)
        post_save.disconnect(after, sender=PassengerProfile)
    assert seen == [("pre_save", None, False, None), ("post_save", profile.pk, True, False, None)]


@pytest.mark.parametrize("change", ["pk set", "expression", "database function"])
def test_save_new_refuses_what_only_save_can_write_and_writes_nothing(change):
    profile = _profile("refused")
    if change == "pk set":
        profile.pk = 10_000
    elif change == "expression":
        profile.height_cm = F("height_cm") + 1
    else:
        profile.legal_name = Lower(Value("ADA LOVELACE"))
    sent = []

    def receiver(sender, **kwargs):
        sent.append(sender)

    pre_save.connect(receiver, weak=False)
    try:
        with pytest.raises(TypeError, match="save"):
            save_new(profile)
    finally:
        pre_save.disconnect(receiver)
    assert sent == []  # refused before any receiver ran
    assert profile.created_at is None  # nor any field's pre_save (auto_now_add)
    assert not PassengerProfile.objects.exists()
    assert not PassengerProfile.history.exists()


def test_save_new_refuses_an_auto_created_model():
    user = get_user_model().objects.create_user(username="grouped")
    group = Group.objects.create(name="Flight surgeons")
    membership = get_user_model().groups.through(user=user, group=group)
    with pytest.raises(TypeError, match="auto-created.*use save"):
        save_new(membership)
    assert not user.groups.exists()


@pytest.mark.parametrize("write", [lambda profile: profile.save(), save_new], ids=["save", "save_new"])
def test_a_bad_value_marks_the_atomic_block_for_rollback_as_save_does(write):
    profile = _profile(f"bad{id(write)}")
    profile.mass_kg = "sixty"
    with transaction.atomic():
        with pytest.raises(ValidationError):
            write(profile)
        assert transaction.get_connection().needs_rollback
        transaction.set_rollback(False)  # as the caller's handler would have to, knowingly


def test_history_rows_are_the_library_s_with_its_signals():
    profile = _profile("history")
    profile.save()
    profile.legal_name = "Augusta Ada King"
    records = RECORDS[PassengerProfile]
    seen = []

    def listen(signal_name):
        def receiver(sender, history_instance, **kwargs):
            seen.append((signal_name, sender, history_instance.pk is not None, kwargs["history_user"]))
        return receiver

    receivers = [(pre_create_historical_record, listen("pre")), (post_create_historical_record, listen("post"))]
    for signal, receiver in receivers:
        signal.connect(receiver, weak=False)
    try:
        profile._history_user = profile.user
        records.create_historical_record(profile, "~")
        ours = seen[:]
        seen.clear()
        history_models.HistoricalRecords.create_historical_record(records, profile, "~")  # the library's own
    finally:
        for signal, receiver in receivers:
            signal.disconnect(receiver)
    assert ours == seen == [
        ("pre", PassengerProfile.history.model, False, profile.user),
        ("post", PassengerProfile.history.model, True, profile.user),
    ]
    library, fast = PassengerProfile.history.order_by("-history_id")[:2]
    skipped = SKIPPED - {"id", "user_id"}
    assert {k: v for k, v in vars(fast).items() if k not in skipped and not k.startswith("_")} == {
        k: v for k, v in vars(library).items() if k not in skipped and not k.startswith("_")
    }
    assert fast.legal_name == "Augusta Ada King" and fast.history_type == "~"


def test_insert_once_writes_a_key_once_without_signals():
    sent = []

    def receiver(sender, **kwargs):
        sent.append(sender)

    def message(body):
        now = timezone.now()
        return Notification(dedupe_key="k.1", recipient="ada@example.test", subject="Seat held", body=body,
                            created_at=now, next_attempt_at=now)

    first, again = message("first"), message("again")
    for signal in (pre_save, post_save):
        signal.connect(receiver, sender=Notification, weak=False)
    try:
        assert insert_once(first, key="dedupe_key") is True
        assert insert_once(again, key="dedupe_key") is False
    finally:
        for signal in (pre_save, post_save):
            signal.disconnect(receiver, sender=Notification)
    assert sent == []
    assert first.pk is not None and not first._state.adding
    assert again.pk is None and again._state.adding
    assert list(Notification.objects.values_list("pk", "body")) == [(first.pk, "first")]
