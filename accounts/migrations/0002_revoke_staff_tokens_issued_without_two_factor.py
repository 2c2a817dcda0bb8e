"""API tokens of staff accounts issued before two-factor login was required were obtained with the
password alone: revoke them, so every staff token in use was issued with a valid `otp_token`."""

from django.db import migrations
from django.db.models import Q

STAFF_ROLES = ("Flight Surgeon", "Flight Director", "Operations")


def revoke(apps, schema_editor):
    Token = apps.get_model("authtoken", "Token")
    Token.objects.filter(
        Q(user__is_staff=True) | Q(user__is_superuser=True) | Q(user__groups__name__in=STAFF_ROLES)
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_staff_account"),
        ("authtoken", "0004_alter_tokenproxy_options"),
        ("flights", "0002_roles"),
    ]

    operations = [migrations.RunPython(revoke, migrations.RunPython.noop)]
