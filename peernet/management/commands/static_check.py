"""`manage.py static_check`: every stylesheet, script and image our templates name with
`{% static %}` is in the static files as they will be served (in production, the
manifest `collectstatic` wrote). The release step (scripts/release) runs it after
`collectstatic`, so a release whose assets were never built stops there, loudly, instead
of serving every page as a 500."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core.management.base import BaseCommand, CommandError

STATIC_TAG = re.compile(r"""{%\s*static\s+["']([^"']+)["']""")


def named_in_templates() -> dict[str, list[str]]:
    """Each static path our own templates name, with the templates that name it."""
    named: dict[str, list[str]] = {}
    # Our settings give a list of Paths; django-stubs reads every TEMPLATES value as object.
    folders: list[Path] = settings.TEMPLATES[0]["DIRS"]  # type: ignore[assignment]
    for folder in folders:
        for template in sorted(Path(folder).rglob("*.html")):
            for name in STATIC_TAG.findall(template.read_text(encoding="utf-8")):
                named.setdefault(name, []).append(str(template.relative_to(folder)))
    return named


def missing() -> dict[str, list[str]]:
    """The paths named that would not be served, with where they are named."""
    gone = {}
    for name, templates in named_in_templates().items():
        if isinstance(staticfiles_storage, ManifestFilesMixin):
            try:
                found = staticfiles_storage.exists(staticfiles_storage.stored_name(name))
            except ValueError:  # "Missing staticfiles manifest entry"
                found = False
        else:
            found = finders.find(name) is not None
        if not found:
            gone[name] = templates
    return gone


class Command(BaseCommand):
    help = (
        "Check that every file the templates name with {% static %} will be served "
        "(after collectstatic, in the manifest). Fails listing what is missing."
    )

    def handle(self, *args: object, **options: object) -> None:
        gone = missing()
        if gone:
            lines = [f"  {name} (named in {', '.join(where)})" for name, where in gone.items()]
            raise CommandError(
                "These static files are missing: build the assets (npm ci, npm run build) "
                "then run collectstatic again.\n" + "\n".join(lines)
            )
        self.stdout.write(
            f"All {len(named_in_templates())} static files the templates name are there."
        )
