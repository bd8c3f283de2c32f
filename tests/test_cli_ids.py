"""Every command taking an id (comments, mentions retry, keys revoke, campaigns show / edit /
remove) goes through one resolver: an exact id wins, a unique prefix is enough, an ambiguous
prefix or an unknown id exits 2 naming the candidates, before anything changes."""

from __future__ import annotations

import json

import click
import pytest
from click.testing import CliRunner

from ownmedia.cli import main
from ownmedia.cli_output import resolve_one, resolve_prefix
from ownmedia.comments.store import Store
from ownmedia.stats.keys import KeyStore
from ownmedia.storage import open_backend
from tests.comments.test_publish import add_pending


def run(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False,
                              env={"OWNMEDIA_LANG": "en"})


def test_the_resolver_prefers_an_exact_id_then_a_unique_prefix():
    ids = ["abc1", "abc12", "abd"]
    assert resolve_prefix("abc1", ids, "comment", "commentaire") == "abc1"
    assert resolve_prefix("abd", ids, "comment", "commentaire") == "abd"
    assert resolve_prefix("abc12", ids, "comment", "commentaire") == "abc12"
    with pytest.raises(click.UsageError, match=r"'abc' is ambiguous: 2 .*abc1, abc12"):
        resolve_prefix("abc", ids, "comment", "commentaire")
    with pytest.raises(click.UsageError, match="comment 'zz' not found"):
        resolve_prefix("zz", ids, "comment", "commentaire")
    with pytest.raises(click.UsageError, match="empty"):
        resolve_prefix(" ", ids, "comment", "commentaire")
    people = [("1", "ann"), ("2", "anna"), ("3", "bob")]
    assert resolve_one("b", people, lambda p: p, "key", "clé") == ("3", "bob")
    assert resolve_one("ann", people, lambda p: p, "key", "clé") == ("1", "ann")


def test_the_resolver_speaks_french(monkeypatch):
    monkeypatch.setenv("OWNMEDIA_LANG", "fr")
    with pytest.raises(click.UsageError, match="commentaire 'zz' introuvable"):
        resolve_prefix("zz", ["a"], "comment", "commentaire")


def test_comments_an_unknown_id_in_a_batch_changes_nothing(tmp_path):
    data, content = tmp_path / "data", tmp_path / "content"
    data.mkdir()
    content.mkdir()
    store = Store(data)
    first = add_pending(store, body="first")
    store.close()
    where = ("--data", data, "--content", content)
    out = run("comments", "reject", first[:-2], "nope", *where)
    assert out.exit_code == 2 and "comment 'nope' not found" in out.output
    listed = json.loads(run("comments", "list", "--json", *where).output)
    assert [c["status"] for c in listed] == ["pending"]  # the known one was not rejected


def test_mentions_retry_takes_a_unique_prefix(tmp_path):
    backend = open_backend(data_dir=tmp_path)
    queue = backend.mention_queue
    for n in range(12):
        queue.enqueue("webmention", f"https://src.example/{n}", "https://me.example/p", "p",
                      1000.0 + n)
    jobs = sorted(queue.jobs(), key=lambda j: j.id)
    for job in jobs:
        queue.failed(job, 3, "503", 0.0, True, 2000.0)
    backend.close()
    ids = [job.id for job in jobs]
    assert ids[:2] == [1, 2] and ids[-1] == 12

    out = run("mentions", "retry", "--data", tmp_path, "1")  # exact: job 1, not 10-12
    assert out.exit_code == 0, out.output
    assert states(tmp_path) == {1: "queued", **{i: "failed" for i in ids[1:]}}
    forget(tmp_path, {1})
    ambiguous = run("mentions", "retry", "--data", tmp_path, "1", "2")
    assert ambiguous.exit_code == 2 and "'1' is ambiguous" in ambiguous.output
    assert "(10, 11, 12)" in ambiguous.output
    unknown = run("mentions", "retry", "--data", tmp_path, "99")
    assert unknown.exit_code == 2 and "mention '99' not found" in unknown.output
    assert states(tmp_path)[2] == "failed"  # nothing retried by the refused commands
    forget(tmp_path, {10, 11})
    by_prefix = run("mentions", "retry", "--data", tmp_path, "1", "2")  # 1 is now 12 only
    assert by_prefix.exit_code == 0, by_prefix.output
    assert states(tmp_path)[12] == "queued" and states(tmp_path)[2] == "queued"


def forget(data, ids: set[int]) -> None:
    backend = open_backend(data_dir=data)
    try:
        for job in backend.mention_queue.jobs():
            if job.id in ids:
                backend.mention_queue.done(job)
    finally:
        backend.close()


def states(data) -> dict[int, str]:
    backend = open_backend(data_dir=data)
    try:
        return {job.id: job.state for job in backend.mention_queue.jobs()}
    finally:
        backend.close()


def test_keys_revoke_by_prefix_and_twins_by_id(tmp_path):
    store = KeyStore(tmp_path)
    review, _ = store.create("review")
    twin_a, _ = store.create("export")
    twin_b, _ = store.create("export")
    store.close()
    twins = run("keys", "revoke", "--data", tmp_path, "export")
    assert twins.exit_code == 2 and f"#{twin_a.id}" in twins.output \
        and f"#{twin_b.id}" in twins.output
    assert run("keys", "revoke", "--data", tmp_path, "rev").exit_code == 0
    assert run("keys", "revoke", "--data", tmp_path, str(twin_b.id)).exit_code == 0
    store = KeyStore(tmp_path)
    revoked = {k.id for k in store.list() if k.revoked}
    store.close()
    assert revoked == {review.id, twin_b.id}
    again = run("keys", "revoke", "--data", tmp_path, "rev")
    assert again.exit_code == 2 and "no active key" in again.output


def test_campaigns_by_unique_prefix(tmp_path):
    data = tmp_path / "data"
    for name in ("printemps-26", "printemps-27", "automne"):
        added = run("campaigns", "add", name, "--metric", "pageviews", "--target", "1000",
                    "--from", "2026-03-02", "--until", "2026-04-26", "--data", data)
        assert added.exit_code == 0, added.output
    ambiguous = run("campaigns", "remove", "print", "--data", data)
    assert ambiguous.exit_code == 2 and "printemps-26, printemps-27" in ambiguous.output
    edited = run("campaigns", "edit", "printemps-2", "--target", "5", "--data", data)
    assert edited.exit_code == 2
    edited = run("campaigns", "edit", "aut", "--target", "5", "--data", data, "--json")
    assert edited.exit_code == 0 and json.loads(edited.output)["target"] == 5
    assert run("campaigns", "remove", "printemps-27", "--data", data).exit_code == 0
    unknown = run("campaigns", "show", "hiver", "--data", data)
    assert unknown.exit_code == 2 and "campaign 'hiver' not found" in unknown.output
    # "print" is printemps-26 alone now: show goes on to read the (here absent) events
    shown = run("campaigns", "show", "print", "--data", data)
    assert shown.exit_code == 1 and "no event store" in shown.output
    listed = json.loads(run("campaigns", "list", "--json", "--data", data).output)
    assert sorted(c["name"] for c in listed) == ["automne", "printemps-26"]
