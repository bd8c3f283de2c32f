"""Incremental builds (ownmedia/incremental.py) write exactly what a full build writes: random
edits, retitles, additions, deletions and comment approvals on a small generated corpus, each
followed by an incremental build compared file for file with a full build from nothing."""

from __future__ import annotations

import json
import logging
import random
import re
import shutil
from pathlib import Path

import pytest

import ownmedia
from bench.corpus import Changes, generate
from ownmedia import incremental
from ownmedia.site import build_site

POSTS = 14


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def assert_same_tree(got: Path, want: Path) -> None:
    a, b = tree(got), tree(want)
    assert sorted(a) == sorted(b), (sorted(set(a) ^ set(b)))[:10]
    different = [name for name in a if a[name] != b[name]]
    assert not different, different[:10]


def mtimes(root: Path) -> dict[str, int]:
    return {p.relative_to(root).as_posix(): p.stat().st_mtime_ns for p in root.rglob("*")
            if p.is_file()}


def rendered_count(caplog) -> int:
    lines = [r.getMessage() for r in caplog.records if "files rendered" in r.getMessage()]
    return int(re.search(r"(\d+) files rendered", lines[-1]).group(1))


class Corpus(Changes):
    """A generated corpus, its incremental build folder and full builds from nothing."""

    def __init__(self, root: Path):
        self.root = root
        generate(root / "content", POSTS, seed=11)
        super().__init__(root / "content")
        self.fulls = 0

    def build(self, name: str = "inc") -> Path:
        return build_site(self.root / name, content=self.content,
                          CACHE_PATH=str(self.root / f"cache-{name}"))

    def full(self) -> Path:
        self.fulls += 1
        return self.build(f"full-{self.fulls}")


def test_incremental_equals_full_after_random_changes(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="ownmedia.build")
    corpus = Corpus(tmp_path)
    corpus.build()
    first = rendered_count(caplog)
    caplog.clear()
    corpus.build()  # nothing changed: Pelican is not even started
    assert "nothing changed since the last build" in caplog.text
    assert "files rendered" not in caplog.text
    (corpus.content / "posts" / "post-00003.md").touch()  # same text, newer file: run, render 0
    corpus.build()
    assert rendered_count(caplog) == 0
    steps = ["edit_body", "approve", "unpublish", "retitle", "add_post", "delete_post",
             "edit_body", "approve"]
    random.Random(3).shuffle(steps)
    for step in steps:
        before = mtimes(tmp_path / "inc")
        what = getattr(corpus, step)()
        got = corpus.build()
        count = rendered_count(caplog)
        assert_same_tree(got, corpus.full())
        if step in ("edit_body", "approve", "unpublish"):
            # the post's pages, print views, feeds and the listings that show it, no other
            # post's page
            assert 0 < count < first / 2, (step, what, count, first)
            after = mtimes(got)
            touched = {n for n in after if before.get(n) != after[n]}
            posts = {n for n in touched if re.match(r"(\w\w/)?\d{4}/[^/]+/index.html$", n)}
            assert len({n.split("/")[-2] for n in posts}) <= 1, (step, what, sorted(posts))


def test_a_changed_template_renders_everything(tmp_path, caplog):
    from ownmedia.site import ROOT

    caplog.set_level(logging.INFO, logger="ownmedia.build")
    corpus = Corpus(tmp_path)
    theme = tmp_path / "theme"
    shutil.copytree(ROOT / "theme", theme)
    build_site(tmp_path / "inc", content=corpus.content, THEME=str(theme),
               CACHE_PATH=str(tmp_path / "cache"))
    first = rendered_count(caplog)
    base = theme / "templates" / "base.html"
    base.write_text(base.read_text().replace("</body>", "<!-- changed --></body>"))
    build_site(tmp_path / "inc", content=corpus.content, THEME=str(theme),
               CACHE_PATH=str(tmp_path / "cache"))
    assert rendered_count(caplog) == first
    assert "<!-- changed -->" in (tmp_path / "inc" / "index.html").read_text()


def test_a_changed_template_after_a_snapshot_rebuild_is_a_full_build(tmp_path, caplog):
    """The snapshot's rebuild does not check its templates against their files at each use
    (Jinja's auto_reload off): a template changed since the snapshot, with a post edited in
    the same step, must still give a full build, and the next edit's rebuild from the new
    snapshot the new template's output (its compiled code is keyed by its source)."""
    from ownmedia.site import ROOT

    caplog.set_level(logging.INFO, logger="ownmedia")
    corpus = Corpus(tmp_path)
    theme = tmp_path / "theme"
    shutil.copytree(ROOT / "theme", theme)

    def build(name: str) -> Path:
        return build_site(tmp_path / name, content=corpus.content, THEME=str(theme),
                          CACHE_PATH=str(tmp_path / f"cache-{name}"))

    build("inc")
    corpus.edit_body()
    caplog.clear()
    build("inc")
    assert "from the build snapshot" in caplog.text
    summary = theme / "templates" / "_article_summary.html"
    summary.write_text(summary.read_text(encoding="utf-8") + "<!-- summary changed -->\n",
                       encoding="utf-8")
    corpus.edit_body()
    caplog.clear()
    got = build("inc")
    assert "from the build snapshot" not in caplog.text
    assert "<!-- summary changed -->" in (got / "index.html").read_text(encoding="utf-8")
    assert_same_tree(got, build("full-1"))
    corpus.edit_body()
    caplog.clear()
    got = build("inc")
    assert "from the build snapshot" in caplog.text
    assert_same_tree(got, build("full-2"))


def test_a_build_that_stops_half_way_leaves_no_record(tmp_path):
    """The record is removed when a build starts: after a failure the next build is full."""
    corpus = Corpus(tmp_path)
    out = corpus.build()
    state = incremental.BuildState(incremental_settings(out, tmp_path / "cache-inc"))
    assert state.record_path.is_file()
    bad = corpus.content / "comments" / "no-such-post"
    bad.mkdir()
    (bad / "x.md").write_text("id: x\npost: no-such-post\nauthor: A\n"
                              "date: 2026-11-01T00:00:00+00:00\ntype: comment\n\nHi\n")
    with pytest.raises(Exception, match="no post has the slug"):
        corpus.build()
    assert not state.record_path.exists()
    shutil.rmtree(bad)
    assert_same_tree(corpus.build(), corpus.full())


def incremental_settings(out: Path, cache: Path) -> dict:
    return {"OUTPUT_PATH": str(out), "CACHE_PATH": str(cache)}


def test_two_builds_at_once_do_not_interleave(tmp_path):
    corpus = Corpus(tmp_path)
    out = corpus.build()
    holder = incremental.BuildState(incremental_settings(out, tmp_path / "cache-inc"))
    holder.lock()  # another build is writing this output
    corpus.edit_body()
    try:
        with pytest.raises(incremental.BuildLocked, match="another build is writing"):
            corpus.build()
    finally:
        holder.close()
    corpus.build()  # free again


def test_the_lock_message_through_the_pelican_command(tmp_path):
    """`pelican` (as `make html` runs it) stops with one line, no traceback."""
    import subprocess
    import sys

    from ownmedia.site import ROOT

    corpus = Corpus(tmp_path)
    out = corpus.build()
    holder = incremental.BuildState(incremental_settings(out, tmp_path / "cache-inc"))
    holder.lock()
    corpus.edit_body()
    try:
        proc = subprocess.run(
            [str(Path(sys.executable).parent / "pelican"), str(corpus.content), "-o", str(out),
             "-s", str(ROOT / "pelicanconf.py"), "--cache-path", str(tmp_path / "cache-inc")],
            capture_output=True, text=True, timeout=120, cwd=tmp_path)
    finally:
        holder.close()
    text = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "another build is writing" in text and "Traceback" not in text


def test_an_edit_is_rebuilt_from_the_snapshot_and_a_damaged_one_is_ignored(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="ownmedia")
    corpus = Corpus(tmp_path)
    corpus.build()
    corpus.edit_body()
    caplog.clear()
    assert_same_tree(corpus.build(), corpus.full())
    assert "from the build snapshot" in caplog.text
    pickles = list((tmp_path / "cache-inc").rglob("snapshot-*.pickle"))
    assert pickles, "a build leaves a snapshot"
    pickles[0].write_bytes(b"not a pickle at all")
    corpus.edit_body()
    caplog.clear()
    assert_same_tree(corpus.build(), corpus.full())
    assert "build snapshot" in caplog.text and "ignored" in caplog.text
    assert "Traceback" not in caplog.text
    shutil.rmtree(tmp_path / "cache-inc")  # deleting the cache is always safe
    corpus.edit_body()
    assert_same_tree(corpus.build(), corpus.full())


def test_a_snapshot_of_another_format_is_ignored_in_one_line(tmp_path, caplog):
    """A snapshot written by an older version (its metadata's format) gives a full build and
    one line saying why, never a traceback; the build leaves a snapshot of this format."""
    from ownmedia import snapshot

    caplog.set_level(logging.INFO, logger="ownmedia")
    corpus = Corpus(tmp_path)
    corpus.build()
    meta_path = next((tmp_path / "cache-inc").rglob("snapshot-*.json"))
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    assert meta["format"] == snapshot.FORMAT
    meta["format"] = snapshot.FORMAT - 1
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    corpus.edit_body()
    caplog.clear()
    assert_same_tree(corpus.build(), corpus.full())
    lines = [r.getMessage() for r in caplog.records if "ignored" in r.getMessage()]
    assert len(lines) == 1 and f"format {snapshot.FORMAT - 1}" in lines[0], lines
    assert "from the build snapshot" not in caplog.text and "Traceback" not in caplog.text
    corpus.edit_body()
    caplog.clear()
    assert_same_tree(corpus.build(), corpus.full())
    assert "from the build snapshot" in caplog.text


def test_successive_edits_from_the_snapshot_equal_full_builds(tmp_path, caplog):
    """Edits and approvals one after another, each rebuilt from the last full build's
    snapshot and its patch (only the post just edited is read again), on a site whose feeds
    show 3 posts of 14 and whose listings have 5 a page (2 orphans): feeds, listing pages
    and the structure-only pages
    (archives, tags, categories, authors) are rendered only when they show a change, and
    every tree equals a full build's."""
    caplog.set_level(logging.INFO, logger="ownmedia")
    corpus = Corpus(tmp_path)
    settings = {"FEED_MAX_ITEMS": 3, "DEFAULT_ORPHANS": 2}  # a last page with orphans

    def build(name: str) -> Path:
        return build_site(tmp_path / name, content=corpus.content,
                          CACHE_PATH=str(tmp_path / f"cache-{name}"), **settings)

    build("inc")
    posts = corpus.posts()
    rng = random.Random(5)
    for n, step in enumerate(["edit_body", "approve", "edit_body", "edit_body", "approve"]):
        before = mtimes(tmp_path / "inc")
        caplog.clear()
        getattr(corpus, step)()
        got = build("inc")
        assert "from the build snapshot" in caplog.text, (step, caplog.text[-500:])
        # the posts edited by the rebuilds before are taken from the snapshot's patch
        read = int(re.search(r"(\d+) posts read again", caplog.text).group(1))
        assert read == (step == "edit_body"), (step, read)
        assert_same_tree(got, build(f"full-{n}"))
        touched = {k for k, v in mtimes(got).items() if before.get(k) != v}
        assert not touched & {"archives/index.html", "tags.html", "categories.html",
                              "authors.html"}, sorted(touched)
    # an edit of a post the feeds do not show leaves them as they are
    shown = (tmp_path / "inc" / "feeds" / "all.atom.xml").read_text(encoding="utf-8")
    hidden = next(p for p in posts if f"/{corpus.slug_of(p)}/" not in shown
                  and (tmp_path / "inc").joinpath("feeds").is_dir())
    hidden.write_text(hidden.read_text(encoding="utf-8") + f"\n\nOne more ({rng.random()}).\n",
                      encoding="utf-8")
    before = mtimes(tmp_path / "inc")
    got = build("inc")
    assert_same_tree(got, build("full-last"))
    touched = {k for k, v in mtimes(got).items() if before.get(k) != v}
    assert touched and not any(k.startswith("feeds/") for k in touched), sorted(touched)
    # a damaged patch is ignored in one line: its posts are read again
    patch = next((tmp_path / "cache-inc").rglob("snapshot-*.patch"))
    patch.write_bytes(b"\x80\x05 damaged")
    caplog.clear()
    corpus.edit_body()
    assert_same_tree(build("inc"), build("full-damaged"))
    assert "patch" in caplog.text and "ignored" in caplog.text and "Traceback" not in caplog.text


def test_the_code_fingerprint_is_kept_by_stats_and_a_damaged_copy_is_hashed_again(tmp_path,
                                                                                  monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    incremental.code_fingerprint.cache_clear()
    first = incremental.code_fingerprint()
    kept = list((tmp_path / "ownmedia").glob("code-*.json"))
    assert len(kept) == 1 and first in kept[0].read_text(encoding="utf-8")
    kept[0].write_text('{"stamp": [', encoding="utf-8")  # damaged
    incremental.code_fingerprint.cache_clear()
    assert incremental.code_fingerprint() == first
    assert first in kept[0].read_text(encoding="utf-8")  # rewritten
    incremental.code_fingerprint.cache_clear()


def test_structure_templates_default_to_ownmedia_theme_only(tmp_path):
    """Another theme's archives may show summaries: an edited text re-renders them there."""
    ours = {"THEME": ownmedia.theme_path()}
    other = {"THEME": str(tmp_path / "their-theme")}
    assert incremental.structure_only("archives.html", ours)
    assert incremental.structure_only("tags.html", ours)
    assert not incremental.structure_only("index.html", ours)
    assert not incremental.structure_only("archives.html", other)
    listed = {**other, "OWNMEDIA_STRUCTURE_TEMPLATES": ("archives",)}
    assert incremental.structure_only("archives.html", listed)
    assert not incremental.structure_only("archives.html", {**ours,
                                                            "OWNMEDIA_STRUCTURE_TEMPLATES": ()})


def test_an_old_posts_edit_unpickles_only_the_posts_its_files_show(tmp_path, caplog):
    """The snapshot keeps each post apart (ownmedia/snapshot_file.py): an edit of the oldest
    post reads back its own page's posts and those of the listing pages that show it, not
    the site's; the tree still equals a full build's."""
    caplog.set_level(logging.INFO, logger="ownmedia")
    content = tmp_path / "content"
    generate(content, 60, seed=3)
    settings = {"FEED_MAX_ITEMS": 5}

    def build(name: str) -> Path:
        return build_site(tmp_path / name, content=content,
                          CACHE_PATH=str(tmp_path / f"cache-{name}"), **settings)

    build("inc")
    oldest = sorted((content / "posts").glob("post-*.md"))[0]
    oldest.write_text(oldest.read_text(encoding="utf-8") + "\n\nOne more sentence.\n",
                      encoding="utf-8")
    caplog.clear()
    got = build("inc")
    found = re.search(r"(\d+) posts read again, .* (\d+) of (\d+) posts taken", caplog.text)
    assert found, caplog.text[-500:]
    read, taken, total = map(int, found.groups())
    assert read == 1 and total > 60 and taken < total / 3, (read, taken, total)
    assert_same_tree(got, build("full"))


def test_the_build_record_is_parsed_once_for_all_its_readers(tmp_path):
    """read_record keeps the parsed record while the file is the one it read (or wrote):
    the same data for every reader; a file replaced since, or damaged, is read again."""
    from ownmedia.fsutil import atomic_write_text

    state = incremental.BuildState(incremental_settings(tmp_path / "out", tmp_path / "cache"),
                                   open_cache=False)
    state.folder.mkdir(parents=True)
    state.save_record({"index.html": "fp1"}, "inputs1")
    first = incremental.read_record(state.record_path)
    assert first["outputs"] == {"index.html": "fp1"} and first["inputs"] == "inputs1"
    assert incremental.read_record(state.record_path) is first
    state.load_record(consume=False)
    assert state.previous == {"index.html": "fp1"} and not state.reason
    data = json.loads(state.record_path.read_text(encoding="utf-8"))
    data["outputs"] = {"index.html": "fp2"}
    atomic_write_text(state.record_path, json.dumps(data))  # another build's record
    assert incremental.read_record(state.record_path)["outputs"] == {"index.html": "fp2"}
    state.record_path.write_text('{"format": 1, "outputs": [', encoding="utf-8")
    with pytest.raises(ValueError):
        incremental.read_record(state.record_path)
    state.load_record(consume=True)
    assert state.previous == {} and state.reason == "unreadable build record"
    with pytest.raises(FileNotFoundError):
        incremental.read_record(state.record_path)
