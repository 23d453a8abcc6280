"""Export files move from the row (a binary column) to the file storage (issue 23): each
complete export's bytes are written to `default_storage` and the row names the file."""

import secrets
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import migrations, models


def to_storage(apps, schema_editor):
    ExportFile = apps.get_model("reporting", "ExportFile")
    for export in ExportFile.objects.filter(status="complete").exclude(content=None).iterator():
        suffix = PurePosixPath(export.filename).suffix
        name = default_storage.save(
            f"exports/{export.pk}-{secrets.token_urlsafe(16)}{suffix}",
            ContentFile(bytes(export.content)),
        )
        ExportFile.objects.filter(pk=export.pk).update(file=name)


def to_rows(apps, schema_editor):
    ExportFile = apps.get_model("reporting", "ExportFile")
    for export in ExportFile.objects.exclude(file="").iterator():
        with default_storage.open(export.file.name, "rb") as stored:
            ExportFile.objects.filter(pk=export.pk).update(content=stored.read())


class Migration(migrations.Migration):
    dependencies = [
        ('reporting', '0001_returns_findings_and_exports'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="exportfile",
            name="export_file_content_only_when_complete",
        ),
        migrations.AddField(
            model_name="exportfile",
            name="file",
            field=models.FileField(
                blank=True, editable=False, max_length=300, upload_to="exports/"
            ),
        ),
        migrations.RunPython(to_storage, to_rows),
    ]
