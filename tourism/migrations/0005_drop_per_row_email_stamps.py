"""The per-row email stamps go once their messages are in the outbox (0004). A migration of its own: on
PostgreSQL a table cannot be altered in the transaction that just updated its deferred foreign keys."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('tourism', '0004_notifications_in_the_outbox'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='bookingstatuschange',
            name='notified_at',
        ),
        migrations.RemoveField(
            model_name='historicalwaitlistentry',
            name='offer_notified_at',
        ),
        migrations.RemoveField(
            model_name='waitlistentry',
            name='offer_notified_at',
        ),
    ]
