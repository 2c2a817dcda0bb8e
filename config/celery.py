"""The Celery app (cookiecutter-django layout): settings with the CELERY_ prefix, tasks autodiscovered."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("flightops")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
