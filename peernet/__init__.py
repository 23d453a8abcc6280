"""The Peer Networks project: settings, URLs, the Celery app and the programme structure."""

from .celery import app as celery_app

__all__ = ("celery_app",)
