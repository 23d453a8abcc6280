"""The database's refusal to change a submitted return version says it in the words of
the repository's own docs (docs/security.md §26); migration 0004 named a file that is
not part of the repository. Same triggers, same conditions: only the message changes."""

from django.db import migrations

OLD = "a submitted return version never changes (SECURITY.md 26)"
NEW = "a submitted return version never changes (docs/security.md §26)"


def _postgres(message):
    return f"""
CREATE OR REPLACE FUNCTION reporting_returnversion_frozen() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{message}' USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
"""


def _sqlite(message):
    statements = []
    for action in ("update", "delete"):
        statements.append(f"DROP TRIGGER IF EXISTS reporting_returnversion_no_{action};")
        statements.append(
            f"""CREATE TRIGGER reporting_returnversion_no_{action}
    BEFORE {action.upper()} ON reporting_returnversion
    BEGIN SELECT RAISE(ABORT, '{message}'); END;"""
        )
    return statements


def _say(message):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            schema_editor.execute(_postgres(message))
        elif vendor == "sqlite":
            for statement in _sqlite(message):
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0004_return_parts_and_frozen_versions"),
    ]

    operations = [migrations.RunPython(_say(NEW), _say(OLD))]
