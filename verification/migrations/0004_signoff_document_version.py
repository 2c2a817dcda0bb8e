"""Sign-offs record the canonical form their hashes use (verification/hashing.py). Every existing row was
signed in form 1, so it keeps verifying as it was; new sign-offs use the current form (2: the authors too)."""

from django.db import migrations, models

import verification.hashing


class Migration(migrations.Migration):
    dependencies = [
        ("verification", "0003_merge_20261202_1959"),
    ]

    operations = [
        operation
        for model_name in ("signoff", "historicalsignoff")
        for operation in (
            migrations.AddField(
                model_name=model_name,
                name="document_version",
                field=models.PositiveSmallIntegerField(default=1, editable=False),
            ),
            migrations.AlterField(
                model_name=model_name,
                name="document_version",
                field=models.PositiveSmallIntegerField(
                    default=verification.hashing.current_document_version,
                    editable=False,
                    help_text="The canonical form (verification/hashing.py) its record hash and its own hash use.",
                ),
            ),
        )
    ]
