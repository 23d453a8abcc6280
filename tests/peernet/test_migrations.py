"""The squashed migrations (issue 16): a database at the end of the old history has them all,
an empty one runs them, and one part-way along the old history stops Django before it
migrates anything (README "Upgrading")."""

import pytest
from django.db import connection
from django.db.migrations.exceptions import NodeNotFoundError
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

OURS = ("peernet", "cohorts", "participants", "delivery", "reporting")
GATE = ("peernet", "0001_hubs_and_people")  # stands for the old history's ends, too


def squashed():
    """The migrations that stand for the old history (those written since do not)."""
    loader = MigrationLoader(None)
    return {key: m for key, m in loader.disk_migrations.items() if key[0] in OURS and m.replaces}


def old_names():
    return [name for migration in squashed().values() for name in migration.replaces]


def loader_with(monkeypatch, applied):
    monkeypatch.setattr(MigrationRecorder, "has_table", lambda self: True)
    monkeypatch.setattr(
        MigrationRecorder, "applied_migrations", lambda self: dict.fromkeys(applied)
    )
    return MigrationLoader(connection)


def test_every_old_migration_is_replaced_once():
    names = old_names()
    assert len(names) == len(set(names)) == 33
    assert len(squashed()) == 9


def test_a_database_at_the_end_of_the_old_history_has_them_all(monkeypatch):
    loader = loader_with(monkeypatch, old_names())
    assert set(squashed()) <= set(loader.applied_migrations)


def test_an_empty_database_runs_them_all(monkeypatch):
    loader = loader_with(monkeypatch, [])
    assert set(squashed()) <= set(loader.graph.nodes)
    assert not set(squashed()) & set(loader.applied_migrations)


ENDS = squashed()[GATE].replaces[1:]


@pytest.mark.parametrize("first", [name for name in ENDS if name[1].startswith("0001_")])
def test_a_database_with_only_a_first_old_migration_stops(monkeypatch, first):
    with pytest.raises(NodeNotFoundError, match="some of the replaced migrations"):
        loader_with(monkeypatch, [first])


@pytest.mark.parametrize("last", [name for name in ENDS if not name[1].startswith("0001_")])
def test_a_database_without_a_last_old_migration_stops(monkeypatch, last):
    with pytest.raises(NodeNotFoundError, match="some of the replaced migrations"):
        loader_with(monkeypatch, [name for name in old_names() if name != last])
