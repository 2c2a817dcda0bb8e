"""Re-encrypt every medical token with the newest key, so old keys can be retired.

Tokens are rotated as they are (MultiFernet.rotate: decrypt with any key, encrypt with the first), in
batches, each row locked while it is rewritten so that a concurrent edit is never overwritten with
an older value. Documents get a new file; the old one is deleted after the commit.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.apps import apps
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.db.models.functions import Cast

from tourism.medical import crypto
from tourism.medical.fields import EncryptedTextField
from tourism.medical.models import MedicalDocument


def encrypted_fields() -> Iterator[tuple[type[models.Model], list[str]]]:
    """Every model of the medical app (historical ones included) with its encrypted columns."""
    for model in apps.get_app_config("medical").get_models():
        names = [field.name for field in model._meta.concrete_fields if isinstance(field, EncryptedTextField)]
        if names:
            yield model, names


def _rotate_rows(model, names: list[str], batch_size: int) -> int:
    rotated, last_pk = 0, None
    raw = {f"raw_{name}": Cast(name, output_field=models.TextField()) for name in names}
    while True:
        with transaction.atomic():
            rows = model._default_manager.select_for_update().order_by("pk")
            if last_pk is not None:
                rows = rows.filter(pk__gt=last_pk)
            batch = list(rows.annotate(**raw).values("pk", *raw)[:batch_size])
            for row in batch:
                updates = {
                    name: models.Value(
                        crypto.rotate_bytes(row[f"raw_{name}"].encode()).decode(), output_field=models.TextField()
                    )
                    for name in names
                    if row[f"raw_{name}"] is not None
                }
                if updates:
                    model._default_manager.filter(pk=row["pk"]).update(**updates)
        rotated += len(batch)
        if len(batch) < batch_size:
            return rotated
        last_pk = batch[-1]["pk"]


def _rotate_files(batch_size: int) -> int:
    rotated, last_pk = 0, 0
    while True:
        with transaction.atomic():
            documents = list(
                MedicalDocument.objects.select_for_update().filter(pk__gt=last_pk).order_by("pk").only("pk", "file")[:batch_size]
            )
            for document in documents:
                old_name = document.file.name
                with document.file.open("rb") as handle:
                    token = handle.read()
                storage = document.file.storage
                new_name = storage.save(MedicalDocument._meta.get_field("file").generate_filename(document, "document.bin"),
                                        ContentFile(crypto.rotate_bytes(token)))
                MedicalDocument.objects.filter(pk=document.pk).update(file=new_name)
                transaction.on_commit(lambda name=old_name, storage=storage: storage.delete(name))
        rotated += len(documents)
        if len(documents) < batch_size:
            return rotated
        last_pk = documents[-1].pk


def reencrypt_all(*, batch_size: int = 200) -> dict[str, int]:
    """Rotate every encrypted column and every stored document; returns how many of each."""
    counts = {model._meta.label: _rotate_rows(model, names, batch_size) for model, names in encrypted_fields()}
    counts["document files"] = _rotate_files(batch_size)
    return counts
