"""The generator is deterministic and refuses to write over a store."""

from __future__ import annotations

import json

import pytest

from ownmedia.review.simulate import SimSpec, main, simulate


def test_same_seed_same_truth(tmp_path):
    spec = SimSpec(seed=3, events=3000, posts=10, days=14)
    a, b = simulate(tmp_path / "a", spec), simulate(tmp_path / "b", spec)
    assert json.dumps(a.__dict__, sort_keys=True) == json.dumps(b.__dict__, sort_keys=True)
    other = simulate(tmp_path / "c", SimSpec(seed=4, events=3000, posts=10, days=14))
    assert other.visitors != a.visitors or other.pageviews != a.pageviews
    assert a.events and a.bots_dropped >= 0 and len(a.weekly) == 2
    feed = (tmp_path / "a" / "site" / "feeds" / "all.atom.xml").read_text()
    assert feed.count("<entry>") == 10


def test_command_line(tmp_path, capsys):
    assert main([str(tmp_path / "d"), "--events", "2000", "--posts", "5", "--days", "7"]) == 0
    assert "ownmedia review --data" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exc:
        main([str(tmp_path / "d"), "--events", "10"])
    assert exc.value.code == 2
    assert "already holds events" in capsys.readouterr().err
