"""verification_evidence_fingerprint: the records' and mishaps' flights, and the sign-offs' previous links, looked up
by their ids (`= ANY (ARRAY(...))`) instead of `IN (subquery)`.

The fingerprint runs on every seat hold. With `IN (...)` the planner hash-joined the few flights the records name
against a scan of every flight in the table (0.25 ms of the function's 0.6 for 625 flights, growing with the
operator's history); as an array of ids it filters them out directly: 0.63-0.76 ms a call before, 0.49-0.55
after (pgbench on the bench's database), the same rows hashed in the same order (NULL ids match nothing either
way), so the same fingerprint and no memoised answer is lost.
"""

import importlib

from django.db import migrations

PREVIOUS = importlib.import_module("verification.migrations.0006_evidence_fingerprint_links").FUNCTION
REPLACEMENTS = (
    (
        "WHERE t.id IN (SELECT flight_id FROM rec UNION SELECT flight_id FROM mis))",
        "WHERE t.id = ANY (ARRAY(SELECT flight_id FROM rec UNION SELECT flight_id FROM mis)))",
    ),
    (
        "WHERE t.sequence IN (SELECT sequence - 1 FROM sig))",
        "WHERE t.sequence = ANY (ARRAY(SELECT sequence - 1 FROM sig)))",
    ),
)
FUNCTION = PREVIOUS
for before, after in REPLACEMENTS:
    assert before in FUNCTION, before
    FUNCTION = FUNCTION.replace(before, after)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION)


def restore(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PREVIOUS)


class Migration(migrations.Migration):
    dependencies = [("verification", "0006_evidence_fingerprint_links")]

    operations = [migrations.RunPython(create, restore)]
