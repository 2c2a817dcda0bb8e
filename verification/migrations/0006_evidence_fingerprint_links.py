"""verification_evidence_fingerprint: each chain link as a quoted row, `(sequence,"hash")`, like every other
section, so no stored hash text can read as two links (0005 joined them as `sequence=hash`)."""

import importlib

from django.db import migrations

PREVIOUS = importlib.import_module("verification.migrations.0005_evidence_fingerprint").FUNCTION
FUNCTION = PREVIOUS.replace(
    "(SELECT string_agg(t.sequence || '=' || t.signoff_hash, ',' ORDER BY t.sequence)",
    "(SELECT string_agg(row(t.sequence, t.signoff_hash)::text, ',' ORDER BY t.sequence)",
)
assert FUNCTION != PREVIOUS


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION)


def restore(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PREVIOUS)


class Migration(migrations.Migration):
    dependencies = [("verification", "0005_evidence_fingerprint")]

    operations = [migrations.RunPython(create, restore)]
