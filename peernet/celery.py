"""The Celery app.

With CELERY_BROKER_URL unset (the demo), `CELERY_TASK_ALWAYS_EAGER` makes every task
run in process through the same code; production and CI run real workers on Redis.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peernet.settings")

app = Celery("peernet")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
