"""The review bench's list of costliest queries (OWNMEDIA_BENCH_QUERIES=1)."""

from __future__ import annotations

from rich.console import Console

from bench.bench_review import _costliest, _run_review
from ownmedia.review.simulate import SimSpec, simulate


def test_the_costliest_queries_of_a_review_are_listed(tmp_path):
    spec = SimSpec(seed=3, events=3_000, posts=20, days=14)
    data = tmp_path / "data"
    simulate(data, spec)
    queries: list = []
    _run_review(data, spec, queries=queries)
    assert len(queries) > 10
    assert all(
        wall >= 0 and cpu >= 0 and body["site_id"] == spec.domain for wall, cpu, body in queries
    )
    console = Console(record=True, width=400)
    _costliest(console, "test", "first review", queries)
    text = console.export_text()
    assert f"({len(queries)} queries" in text
    rows = [line for line in text.splitlines() if '"metrics"' in line]
    assert len(rows) == 10  # COSTLIEST, slowest first
    slowest = max(queries, key=lambda q: q[0])
    assert f"{slowest[0]:.3f} s" in rows[0]
