"""Enrichment and storage: visitor hashes, sessions, salts, drops, goals, commit modes.

The clock is injected, so 30-minute sessions and daily salt rotation are tested without
waiting."""

import sqlite3
import threading
from datetime import UTC, datetime

import pytest

from ownmedia.events import EventCollector, EventStore
from ownmedia.storage.sqlite import connect

UA = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
      "Chrome/120.0.0.0 Safari/537.36")
UA2 = "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0"
BOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
DAY1_NOON = datetime(2026, 3, 10, 12, tzinfo=UTC).timestamp()


class Clock:
    def __init__(self, now: float):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def make(tmp_path):
    stores = []

    def _make(clock, **kwargs):
        store = EventStore(tmp_path / "events.sqlite3", clock=clock, **kwargs)
        stores.append(store)
        return store, EventCollector(store, ["example.org"], clock=clock)

    yield _make
    for store in stores:
        store.close()


def pv(path="/", referrer="", name="pageview", **extra):
    return {"n": name, "u": f"https://example.org{path}", "d": "example.org", "r": referrer,
            **extra}


def rows(tmp_path, sql):
    conn = sqlite3.connect(tmp_path / "events.sqlite3")
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql)]
    finally:
        conn.close()


def test_event_row_carries_visit_attributes_and_no_ip(make, tmp_path):
    clock = Clock(DAY1_NOON)
    _, col = make(clock)
    first = col.ingest_sync(pv("/a?utm_medium=social", "https://t.co/x"), UA, "203.0.113.9")
    clock.now += 60
    second = col.ingest_sync(pv("/b", "https://example.org/a"), UA, "203.0.113.9")
    assert first["session_id"] == second["session_id"]
    assert first["visitor_id"] == second["visitor_id"]
    assert second["referrer_source"] == "Direct / None"  # internal navigation
    assert (second["v_source"], second["v_utm_medium"], second["v_entry_page"]) == (
        "Twitter", "social", "/a")
    assert (second["browser"], second["os"], second["device"]) == ("Chrome", "Windows", "Desktop")
    dump = repr(rows(tmp_path, "SELECT * FROM events") + rows(tmp_path, "SELECT * FROM sessions"))
    assert "203.0.113.9" not in dump and "Chrome/120" not in dump
    [session] = rows(tmp_path, "SELECT * FROM sessions")
    assert (session["pageviews"], session["events"], session["entry_page"],
            session["exit_page"], session["v_source"]) == (2, 2, "/a", "/b", "Twitter")
    assert session["end"] - session["start"] == 60


def test_session_ends_after_30_minutes_of_inactivity(make):
    clock = Clock(DAY1_NOON)
    _, col = make(clock)
    a = col.ingest_sync(pv("/"), UA, "198.51.100.1")
    clock.now += 29 * 60
    b = col.ingest_sync(pv("/"), UA, "198.51.100.1")
    clock.now += 30 * 60 + 59  # Plausible compares whole minutes: 30 min 59 s continues
    b2 = col.ingest_sync(pv("/"), UA, "198.51.100.1")
    assert b2["session_id"] == b["session_id"]
    clock.now += 31 * 60
    c = col.ingest_sync(pv("/"), UA, "198.51.100.1")
    assert a["session_id"] == b["session_id"] != c["session_id"]
    other = col.ingest_sync(pv("/"), UA2, "198.51.100.1")
    assert other["visitor_id"] != c["visitor_id"]


def test_session_survives_a_restart(make, tmp_path):
    clock = Clock(DAY1_NOON)
    store, col = make(clock)
    a = col.ingest_sync(pv("/x?utm_source=mail"), UA, "198.51.100.2")
    store.close()
    clock.now += 600
    _, col2 = make(clock)
    b = col2.ingest_sync(pv("/y"), UA, "198.51.100.2")
    assert b["session_id"] == a["session_id"]
    assert b["v_utm_source"] == "mail" and b["v_entry_page"] == "/x"
    [session] = rows(tmp_path, "SELECT pageviews, exit_page FROM sessions")
    assert session == {"pageviews": 2, "exit_page": "/y"}


def test_salt_rotation_keeps_yesterday_and_deletes_older(make, tmp_path):
    clock = Clock(DAY1_NOON)
    _, col = make(clock)
    day1 = col.ingest_sync(pv("/"), UA, "198.51.100.3")
    clock.now = DAY1_NOON + 12 * 3600 - 60  # 23:59 on day 1
    late = col.ingest_sync(pv("/late"), UA, "198.51.100.3")
    clock.now += 120  # 00:01 on day 2: the visit continues under yesterday's salt
    after_midnight = col.ingest_sync(pv("/"), UA, "198.51.100.3")
    assert after_midnight["session_id"] == late["session_id"]
    assert after_midnight["visitor_id"] == late["visitor_id"] == day1["visitor_id"]
    clock.now += 3600  # a new visit on day 2 gets day 2's hash
    fresh = col.ingest_sync(pv("/"), UA, "198.51.100.3")
    assert fresh["visitor_id"] != day1["visitor_id"]
    assert [r["day"] for r in rows(tmp_path, "SELECT day FROM salts ORDER BY day")] == [
        "2026-03-10", "2026-03-11"]
    clock.now += 2 * 86400  # day 4: day 1 and day 2 salts are gone
    col.ingest_sync(pv("/"), UA, "198.51.100.3")
    assert [r["day"] for r in rows(tmp_path, "SELECT day FROM salts ORDER BY day")] == [
        "2026-03-13"]


def test_bots_are_counted_not_stored(make, tmp_path):
    _, col = make(Clock(DAY1_NOON))
    assert col.ingest_sync(pv("/"), BOT, "198.51.100.4") is None
    assert col.ingest_sync(pv("/"), BOT, "198.51.100.4") is None
    assert rows(tmp_path, "SELECT count(*) AS n FROM events") == [{"n": 0}]
    assert rows(tmp_path, "SELECT day, domain, reason, count FROM dropped") == [
        {"day": "2026-03-10", "domain": "example.org", "reason": "bot", "count": 2}]


def test_engagement_needs_a_visit(make, tmp_path):
    clock = Clock(DAY1_NOON)
    _, col = make(clock)
    assert col.ingest_sync(pv("/", name="engagement", sd=40, e=5000), UA, "1.2.3.4") is None
    col.ingest_sync(pv("/"), UA, "1.2.3.4")
    clock.now += 10
    eng = col.ingest_sync(pv("/", name="engagement", sd=40, e=5000), UA, "1.2.3.4")
    assert (eng["scroll_depth"], eng["engagement_ms"]) == (40, 5000)
    [session] = rows(tmp_path, "SELECT events, end - start AS d FROM sessions")
    assert session == {"events": 1, "d": 0}  # keeps the visit alive, does not lengthen it
    clock.now += 25 * 60
    col.ingest_sync(pv("/", name="engagement", sd=50, e=9000), UA, "1.2.3.4")
    clock.now += 25 * 60  # 50 min after the pageview, 25 after the engagement: same visit
    later = col.ingest_sync(pv("/b"), UA, "1.2.3.4")
    assert later["session_id"] == eng["session_id"]


def test_missing_user_agent_is_recorded_without_client(make):
    """Plausible hashes a missing User-Agent as "" and keeps the event, device unknown."""
    _, col = make(Clock(DAY1_NOON))
    row = col.ingest_sync(pv("/"), "", "1.2.3.4")
    assert (row["browser"], row["os"], row["device"]) == ("", "", "")
    assert col.ingest_sync(pv("/"), None, "1.2.3.4")["session_id"] == row["session_id"]


def test_goals_seeded_once(make, tmp_path):
    store, _ = make(Clock(DAY1_NOON))
    goals = [{"event_name": "CTA Click"}, {"page_path": "/merci/", "display_name": "Thanks"},
             {"event_name": "Comment", "domain": "example.org"}]
    assert store.seed_goals(goals, ["example.org", "localhost"]) == 5
    assert store.seed_goals(goals, ["example.org", "localhost"]) == 0
    got = rows(tmp_path, "SELECT domain, goal_type, event_name, page_path, display_name FROM goals"
                         " WHERE domain = 'example.org' ORDER BY id")
    assert got == [
        {"domain": "example.org", "goal_type": "event", "event_name": "CTA Click",
         "page_path": None, "display_name": "CTA Click"},
        {"domain": "example.org", "goal_type": "page", "event_name": None,
         "page_path": "/merci/", "display_name": "Thanks"},
        {"domain": "example.org", "goal_type": "event", "event_name": "Comment",
         "page_path": None, "display_name": "Comment"},
    ]


def test_outbox_row_in_same_transaction_when_forwarding(make, tmp_path):
    _, col = make(Clock(DAY1_NOON), forward=True)
    col.ingest_sync(pv("/f", p={"a": "b"}), UA, "192.0.2.7")
    [row] = rows(tmp_path, "SELECT payload, user_agent, client_ip FROM outbox")
    assert row["client_ip"] == "192.0.2.7" and row["user_agent"] == UA
    assert '"props":{"a":"b"}' in row["payload"].replace(" ", "")


@pytest.mark.parametrize("mode", ["group", "each"])
def test_concurrent_writers_all_committed(make, tmp_path, mode):
    store, col = make(Clock(DAY1_NOON), commit_mode=mode)
    errors = []

    def worker(n):
        try:
            for i in range(25):
                col.ingest_sync(pv(f"/{n}/{i}"), UA, f"10.0.{n}.{i}")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert rows(tmp_path, "SELECT count(*) AS n FROM events") == [{"n": 200}]
    assert rows(tmp_path, "SELECT count(*) AS n FROM sessions") == [{"n": 200}]
    if mode == "each":
        assert store.writer.batches == store.writer.jobs
    conn = connect(tmp_path / "events.sqlite3")
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
