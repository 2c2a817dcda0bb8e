"""verification_evidence_fingerprint(vehicle_id): the SHA-256 of every row a vehicle's certification is computed
from (verification.selectors.vehicle_certification_answer memoises on it). PostgreSQL only; elsewhere there is
no fingerprint and every answer is computed in full.

A PL/pgSQL function and not the same statement sent each time: PostgreSQL keeps a function's plan for the
session, and planning the statement took longer (about 3 ms) than running it (about 1 ms).

What it hashes, each as the full row text (`row::text`, so a column added later is covered with no change
here): the vehicle and its model (the required flights); the vehicle's verification records, their flights,
occupants, objectives, anomalies, attachments and sign-offs; the previous link of each of those sign-offs in
the chain (which may belong to another vehicle's record); the vehicle's mishaps, their flights and corrective
actions. A new table that certification reads needs a migration that replaces this function, and a case in
tests/verification/test_certification.py's TAMPERING.
"""

from django.db import migrations

FUNCTION = r"""
CREATE OR REPLACE FUNCTION verification_evidence_fingerprint(bigint) RETURNS text
LANGUAGE plpgsql STABLE AS $fingerprint$
BEGIN
RETURN (
  WITH rec AS (SELECT * FROM verification_verificationflight WHERE vehicle_id = $1),
       mis AS (SELECT * FROM verification_mishap WHERE vehicle_id = $1),
       sig AS (SELECT * FROM verification_signoff WHERE record_id IN (SELECT id FROM rec))
  SELECT encode(sha256(convert_to(concat(
    '|vehicle:', (SELECT string_agg(t::text, ',' ORDER BY t.id) FROM flights_vehicle t WHERE t.id = $1),
    '|model:', (SELECT string_agg(t::text, ',' ORDER BY t.id) FROM flights_vehiclemodel t
                WHERE t.id = (SELECT model_id FROM flights_vehicle WHERE id = $1)),
    '|records:', (SELECT string_agg(t::text, ',' ORDER BY t.id) FROM rec t),
    '|flights:', (SELECT string_agg(t::text, ',' ORDER BY t.id) FROM flights_flight t
                  WHERE t.id IN (SELECT flight_id FROM rec UNION SELECT flight_id FROM mis)),
    '|occupants:', (SELECT string_agg(t::text, ',' ORDER BY t.id) FROM verification_occupant t
                    WHERE t.record_id IN (SELECT id FROM rec)),
    '|objectives:', (SELECT string_agg(t::text, ',' ORDER BY t.id) FROM verification_testobjective t
                     WHERE t.record_id IN (SELECT id FROM rec)),
    '|anomalies:', (SELECT string_agg(t::text, ',' ORDER BY t.id) FROM verification_anomaly t
                    WHERE t.record_id IN (SELECT id FROM rec)),
    '|attachments:', (SELECT string_agg(t::text, ',' ORDER BY t.id) FROM verification_attachment t
                      WHERE t.record_id IN (SELECT id FROM rec)),
    '|signoffs:', (SELECT string_agg(t::text, ',' ORDER BY t.id) FROM sig t),
    '|links:', (SELECT string_agg(t.sequence || '=' || t.signoff_hash, ',' ORDER BY t.sequence)
                FROM verification_signoff t WHERE t.sequence IN (SELECT sequence - 1 FROM sig)),
    '|mishaps:', (SELECT string_agg(t::text, ',' ORDER BY t.id) FROM mis t),
    '|actions:', (SELECT string_agg(t::text, ',' ORDER BY t.id) FROM verification_correctiveaction t
                  WHERE t.mishap_id IN (SELECT id FROM mis))
  ), 'UTF8')), 'hex')
);
END
$fingerprint$;
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS verification_evidence_fingerprint(bigint)")


class Migration(migrations.Migration):
    dependencies = [
        ("verification", "0004_signoff_document_version"),
        ("flights", "0008_merge_returns_chunks"),
    ]

    operations = [migrations.RunPython(create, drop)]
