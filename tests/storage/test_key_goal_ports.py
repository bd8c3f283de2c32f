"""The key and goal ports behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from ownmedia.stats.goals import Goal, delete_goal, put_goal, site_goals
from ownmedia.stats.keys import KeyStore
from ownmedia.storage.ports import GoalRecord


def test_keys_create_lookup_revoke(backend):
    keys = KeyStore(backend)
    info, key = keys.create("review", ["a.example", "A.example "])
    assert info.sites == ("a.example",)
    found = keys.lookup(key)
    assert found.id == info.id and found.may_read("a.example") and not found.may_read("b")
    assert found.last_used is None and keys.lookup(key).last_used is not None
    assert keys.lookup(key + "x") is None
    other, other_key = keys.create("ci")
    assert [k.name for k in keys.list()] == ["review", "ci"]
    assert keys.revoke(str(info.id)) == 1
    assert keys.lookup(key) is None and keys.verify(other_key)
    assert keys.revoke("ci") == 1 and keys.revoke("ci") == 0
    assert key not in repr(backend.keys.all())  # only the hash is stored


def test_goals_put_is_idempotent(backend):
    goals = backend.goals
    record = GoalRecord("a.example", "page", "", "/merci/", "Thanks")
    assert goals.put(record) == (record, True)
    again, created = goals.put(GoalRecord("a.example", "page", "", "/merci/", "Other name"))
    assert (again.display_name, created) == ("Thanks", False)
    assert goals.goals("a.example") == [record] and goals.goals("b.example") == []
    assert goals.delete("a.example", "Thanks") and not goals.delete("a.example", "Thanks")


def test_site_goals_read_the_port(backend):
    goal, created = put_goal(backend.goals, "a.example", Goal("Signup", "event", "Signup"))
    assert created and goal.display_name == "Signup"
    names = [g.display_name for g in site_goals(backend.goals, "a.example", None)]
    assert "Signup" in names and "CTA Click" in names
    assert delete_goal(backend.goals, "a.example", "Signup")


def open_sink(backend):
    """The event sink on the backend's storage (on PostgreSQL, borrowing its pool)."""
    if backend.kind == "postgresql":
        from ownmedia.storage.postgres.events import PostgresEventSink

        return PostgresEventSink(backend.pg, durable=False)
    from ownmedia.storage.sqlite.events import SqliteEventSink

    return SqliteEventSink.in_dir(backend.data_dir, durable=False)


def test_configured_goals_are_seeded_through_the_goal_port(backend):
    backend.goals.put(GoalRecord("a.example", "page", "", "/merci/", "Thanks"))
    configured = [{"page_path": "/merci/"}, {"event_name": "Signup"},
                  {"domain": "b.example", "event_name": "Play", "display_name": "Video play"}]
    sink = open_sink(backend)
    try:
        assert sink.seed_goals(configured, ["a.example"]) == 2  # /merci/ existed already
        assert sink.seed_goals(configured, ["a.example"]) == 0
    finally:
        sink.close()
    assert [g.display_name for g in backend.goals.goals("a.example")] == ["Thanks", "Signup"]
    assert backend.goals.goals("b.example") == [
        GoalRecord("b.example", "event", "Play", "", "Video play")]
