"""The Celery task that builds a download (reporting.exports). Imported by
reporting/tasks.py so the worker's autodiscovery registers it."""

from __future__ import annotations

from celery import shared_task

from reporting.exports import export_run


@shared_task
def export_build(export_id: int) -> str:
    """Build export `export_id` and keep it for the user who asked; safe to run twice."""
    return export_run(export_id)
