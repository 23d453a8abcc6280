"""The binary column export files lived in, now that they are in the file storage (0002:
in its own migration, so the data moved there is committed before the table changes)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0002_export_files_in_storage"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="exportfile",
            name="content",
        ),
        migrations.AddConstraint(
            model_name="exportfile",
            constraint=models.CheckConstraint(
                condition=(
                    (
                        models.Q(status="complete", completed_at__isnull=False)
                        & ~models.Q(file="")
                    )
                    | (~models.Q(status="complete") & models.Q(file=""))
                ),
                name="export_file_only_when_complete",
            ),
        ),
    ]
