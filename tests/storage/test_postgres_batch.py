"""On PostgreSQL, a group-commit batch is one pipelined transaction: each request gets its own
stored row (with its id) back, and a row that cannot be stored sinks only its own request."""

from __future__ import annotations

import asyncio
import time

import psycopg
import pytest

from ownmedia.events.ingest import accept
from ownmedia.storage.postgres.events import PostgresEventSink

UA = "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0"


def _event(path: str, ip: str, props: dict | None = None):
    payload = {"n": "pageview", "u": f"http://example.org{path}", "d": "example.org",
               "p": props or {}}
    return accept(payload, UA, ip, frozenset({"example.org"}), time.time())


async def _batch(sink: PostgresEventSink, events: list) -> list:
    return await asyncio.gather(*(sink.record(ev) for ev in events), return_exceptions=True)


def test_one_batch_rows_ids_and_a_refused_row(postgres_url):
    sink = PostgresEventSink(postgres_url)
    try:
        events = [_event(f"/p{n}/", f"10.0.0.{n}") for n in range(6)]
        events.insert(3, _event("/bad\ud800/", "10.0.0.99"))  # no UTF-8 for a lone surrogate

        async def run() -> list:
            out = await _batch(sink, events)
            await sink.aclose()
            return out

        batches = sink.batches
        results = asyncio.run(run())
    finally:
        sink.close()
    assert isinstance(results[3], UnicodeEncodeError), results[3]  # HTTP: 400 before the sink
    rows = [r for i, r in enumerate(results) if i != 3]
    assert [r["pathname"] for r in rows] == [f"/p{n}/" for n in range(6)]
    with psycopg.connect(postgres_url) as conn:
        stored = dict(conn.execute("SELECT id, pathname FROM events"))
        visits = conn.execute("SELECT COUNT(*) FROM sessions").fetchone()[0]
    assert stored == {r["id"]: r["pathname"] for r in rows}  # each request got its own id
    assert visits == 6
    assert sink.batches - batches >= 2  # the batch, then its requests one at a time


@pytest.mark.parametrize("durable", [True, False])
def test_a_visitor_continues_its_visit_across_batches(postgres_url, durable):
    sink = PostgresEventSink(postgres_url, durable=durable)
    try:
        async def run() -> None:
            for path in ("/a/", "/b/", "/c/"):
                await _batch(sink, [_event(path, "10.1.1.1")])
            await sink.aclose()

        asyncio.run(run())
    finally:
        sink.close()
    with psycopg.connect(postgres_url) as conn:
        assert conn.execute("SELECT COUNT(DISTINCT session_id), COUNT(*) FROM events"
                            ).fetchone() == (1, 3)
        assert conn.execute('SELECT pageviews, entry_page, exit_page FROM sessions'
                            ).fetchone() == (3, "/a/", "/c/")
