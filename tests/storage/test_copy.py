"""`ownmedia storage copy --from sqlite:DIR --to postgresql://...`: everything arrives, the
counts match, and a second run adds nothing."""

from __future__ import annotations

import json
import time

from click.testing import CliRunner

from ownmedia.campaigns.model import make_campaign
from ownmedia.cli import main
from ownmedia.config import load_config
from ownmedia.stats.keys import KeyStore
from ownmedia.stats.store import StatsStore
from ownmedia.storage import Backend
from ownmedia.storage.ports import GoalRecord, SentPost, comment_row, new_comment_id
from ownmedia.storage.sqlite import connect, migrate
from ownmedia.storage.sqlite.events_schema import EVENT_MIGRATIONS

SPRING = make_campaign("printemps", "pageviews", 2000, "2026-03-02", "2026-04-26",
                       ["utm_medium=print"])


def fill_sqlite(data) -> dict:
    backend = Backend("", data)
    now = time.time()
    ids = []
    with backend.comments.transaction() as tx:
        for n in range(30):
            cid = new_comment_id(now + n)
            ids.append(cid)
            tx.insert(comment_row(id=cid, post="a-post", status="approved" if n % 2 else
                                  "pending", author=f"A{n}", body=f"body {n}", created=now + n,
                                  updated=now + n, email="x@example.org", notify=1))
        tx.queue_mail("x@example.org", "s", "b")
        tx.queue_render("a-post")
        tx.add_rate_hit("v", now)
    backend.mention_queue.enqueue("webmention", "https://s/1", "https://t/1", "a-post", now)
    backend.mention_log.post_sent(SentPost("https://me/p", "d", False), ["https://x/1"], now)
    backend.auth.create_session("h", "c", now, now + 3600)
    backend.auth.login_failed("k", now)
    _info, key = KeyStore(backend).create("review")
    backend.goals.put(GoalRecord("a.example", "page", "", "/merci/", "Thanks"))
    backend.campaigns.add(SPRING)
    backend.review_mail.record("2026-03-23", ["team@example.org"], now)
    backend.close()
    events = connect(data / "events.sqlite3")
    migrate(events, EVENT_MIGRATIONS)
    events.executemany("INSERT INTO events (ts, domain, name, pathname, visitor_id, session_id)"
                       " VALUES (?, 'a.example', 'pageview', ?, 1, 1)",
                       [(now + n, f"/p{n}/") for n in range(250)])
    # a visit stored before sessions had last_seen (NULL: its end, as the SQLite visits read it)
    events.execute('INSERT INTO sessions (session_id, domain, visitor_id, start, "end",'
                   " pageviews, events) VALUES (1, 'a.example', 1, ?, ?, 250, 250)",
                   (now, now + 249))
    events.commit()
    events.close()
    return {"ids": ids, "key": key}


def run_copy(data, url):
    result = CliRunner().invoke(main, ["storage", "copy", "--from", f"sqlite:{data}",
                                       "--to", url, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_copy_everything_twice_without_duplicates(tmp_path, postgres_url):
    data = tmp_path / "data"
    made = fill_sqlite(data)

    first = run_copy(data, postgres_url)
    assert first["ok"]
    tables = {t["table"]: t for t in first["tables"]}
    assert tables["comments"]["target_rows"] == tables["comments"]["copied"] == 30
    assert tables["events"]["target_rows"] == 250
    assert tables["api_keys"]["target_rows"] == 1 and tables["goals"]["target_rows"] == 1
    assert all(t["source_rows"] == t["target_rows"] for t in first["tables"] if not t["skipped"])
    assert not [t["table"] for t in first["tables"] if t["skipped"]]  # the target is migrated
    # what was copied is what the service reads on PostgreSQL
    config = load_config(None, server={"data": str(data)}, storage={"url": postgres_url})
    stats = StatsStore(data, config)
    try:
        assert "Thanks" in {g.display_name for g in stats.goals("a.example")}
        answer = stats.query({"site_id": "a.example", "date_range": "all",
                              "metrics": ["pageviews", "visits"]})  # from the rollups
        assert answer["results"][0]["metrics"] == [250, 1]
        assert stats.reader().execute('SELECT last_seen = "end" FROM sessions').fetchall() == \
            [(True,)]
    finally:
        stats.close()

    second = run_copy(data, postgres_url)
    assert second["ok"]
    assert all(t["copied"] == 0 for t in second["tables"] if t["table"] != "comment_rate_hits")
    assert {t["table"]: t["target_rows"] for t in second["tables"]} == \
        {t["table"]: t["target_rows"] for t in first["tables"]}

    # the copied data works through the PostgreSQL stores
    pg_backend = Backend(postgres_url, tmp_path)
    try:
        assert pg_backend.comments.get(made["ids"][3]).author == "A3"
        assert pg_backend.comments.counts()["approved"] == 15
        assert KeyStore(pg_backend).verify(made["key"])
        assert [g.display_name for g in pg_backend.goals.goals("a.example")] == ["Thanks"]
        assert [j.source for j in pg_backend.mention_queue.jobs()] == ["https://s/1"]
        assert pg_backend.auth.login_failures("k")[0] == 1
        assert pg_backend.campaigns.list() == [SPRING]
        assert pg_backend.review_mail.was_sent("2026-03-23")
        # ids generated after the copy follow the copied ones
        with pg_backend.comments.transaction() as tx:
            tx.queue_mail("y@example.org", "s2", "b2")
        assert len({job.id for job in pg_backend.mail.all()}) == 2
        new_key, _ = KeyStore(pg_backend).create("after")
        assert new_key.id == 2
    finally:
        pg_backend.close()


def test_copy_refuses_bad_arguments(tmp_path):
    runner = CliRunner()
    bad_from = runner.invoke(main, ["storage", "copy", "--from", str(tmp_path), "--to",
                                    "postgresql://x@127.0.0.1:1/db"])
    assert bad_from.exit_code == 2 and "sqlite:" in bad_from.output
    bad_to = runner.invoke(main, ["storage", "copy", "--from", f"sqlite:{tmp_path}", "--to",
                                  "mysql://x"])
    assert bad_to.exit_code == 2 and "postgresql://" in bad_to.output
    missing = runner.invoke(main, ["storage", "copy", "--from", f"sqlite:{tmp_path}/nope",
                                   "--to", "postgresql://x@127.0.0.1:1/db"])
    assert missing.exit_code == 2 and "nope" in missing.output


def test_copy_to_a_database_that_is_down_names_it_without_password(tmp_path):
    from tests.conftest import free_port

    url = f"postgresql://ownmedia:s3cret@127.0.0.1:{free_port()}/db"
    result = CliRunner().invoke(main, ["storage", "copy", "--from", f"sqlite:{tmp_path}",
                                       "--to", url])
    assert result.exit_code == 1
    assert "s3cret" not in result.output and "ownmedia:***@127.0.0.1" in result.output
