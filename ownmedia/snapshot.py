"""Rebuild after a content-only edit without reading every post: a snapshot of what the last
build read.

A full or incremental build through Pelican ends by saving, beside its build record, what
rendering needs (`<OWNMEDIA_CACHE_PATH>/snapshot-<hash of the output path>.pickle`): every
content object as the generators and plugins left it, the generators' context, and every call
Pelican made to its Writer; and, in a small JSON file, the stamps (size, mtime) of the input
files that build read, its code/settings fingerprint and the pickle's checksum.

`ownmedia.site.build_site` tries `quick_build` before Pelican's run. When the only inputs that
changed since that snapshot are the texts of known posts and comment files of known posts,
it loads the snapshot, reads the changed posts again through Pelican's own reader (the
generator's `readers.read_file`, as Pelican does), refreshes them in place with the same
per-article functions the plugins run in a full build, and hands them to the live publisher's
renderer (ownmedia.comments.publish: the recorded Writer calls that show them, their print
views and comments feeds, through the same IncrementalWriter). A changed structure (slug,
URL, title, date, category, tags, authors, status, a new or removed file, a theme file, a
static link, a video, a CTA problem), another configuration, a missing build record or a
plugin that is not ownmedia's falls back to Pelican's run, which also rewrites the snapshot.
The snapshot holds neither the print views' Writer calls (made again by their own function)
nor what a rebuild makes again per post; it holds each post's fingerprint, so a rebuild hashes
only what it read again, and each post apart (ownmedia.snapshot_file), so a rebuild unpickles
only the posts the files it renders show. The posts a rebuild read again go into a small patch
beside the snapshot (see _apply_patch), so the next rebuild reads only the posts changed since.
A corrupted or foreign snapshot is ignored with one line and removed; deleting it (or the
whole cache folder) is always safe."""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import time
from pathlib import Path

from ownmedia import incremental, snapshot_file
from ownmedia.fsutil import atomic_write_text
from ownmedia.pelican_support import plugin_enabled

log = incremental.log
FORMAT = 4  # 4: references resolved through one table (ownmedia.snapshot_file)


class _Unusable(Exception):
    """The snapshot cannot serve this rebuild; the message says why (Pelican's run follows)."""


def enabled(settings: dict) -> bool:
    """Only ownmedia's plugins (another plugin may keep per-post state we cannot refresh)."""
    if not settings.get("OWNMEDIA_SNAPSHOT", True) or not settings.get(
            "OWNMEDIA_INCREMENTAL", True):
        return False
    names = [getattr(p, "__name__", p) for p in settings.get("PLUGINS") or []]
    return bool(names) and all(str(n).startswith("ownmedia.plugins.") for n in names)


def _paths(state) -> tuple[Path, Path]:
    stem = state.record_path.name[len("outputs-"):-len(".json")]
    return (state.folder / f"snapshot-{stem}.json", state.folder / f"snapshot-{stem}.pickle")


def _patch_path(state) -> Path:
    """The posts read again by rebuilds since the snapshot, as those rebuilds left them."""
    return _paths(state)[1].with_suffix(".patch")


def _remove(state) -> None:
    for path in (*_paths(state), _patch_path(state)):
        path.unlink(missing_ok=True)


# --- saving -----------------------------------------------------------------------------------
def save(state) -> None:
    """At the end of a build through Pelican (plugins/incremental's `finalized`)."""
    from pelican.generators import ArticlesGenerator

    meta_path, data_path = _paths(state)
    meta_path.unlink(missing_ok=True)  # no meta for a pickle of another build, ever
    _patch_path(state).unlink(missing_ok=True)
    if state.noted is None or not enabled(state.settings):
        data_path.unlink(missing_ok=True)
        return
    gen = next((g for g in state.generators if isinstance(g, ArticlesGenerator)), None)
    if gen is None:
        data_path.unlink(missing_ok=True)
        return
    stamps, configuration = state.noted
    lists = {name: getattr(gen, name, []) for name in (
        "articles", "translations", "hidden_articles", "hidden_translations", "drafts",
        "drafts_translations")}
    by_source = {a.source_path: a for items in lists.values() for a in items}
    sources = sorted(by_source)
    objects = [by_source[path] for path in sources]
    number = {path: n for n, path in enumerate(sources)}
    # print views are made again by their own function (plugins/print_view), not replayed:
    # their calls (with each post's print data, half the snapshot) are left out
    recording = [call for call in state.recording
                 if call[0] != "file" or getattr(call[2], "name", None) not in PRINT_TEMPLATES]
    shows = []  # per Writer call, the posts it shows (indices into sources)
    for call in recording:
        found = {obj.source_path for obj in incremental.shown_contents(call)}
        shows.append(sorted(number[p] for p in found if p in number))
    # each post's fingerprint as this build computed it (source hash, comments, translations):
    # a rebuild computes again only those of the posts it read again
    by_id = {id(a): number[a.source_path] for items in lists.values() for a in items}
    object_fps = [(by_id[oid], with_comments, fp)
                  for (oid, with_comments), fp in state._object_fps.items() if oid in by_id]
    data = {"context": gen.context, "lists": lists, "recording": recording,
            "shows": shows, "file_fps": dict(state._file_fps), "object_fps": object_fps,
            "slugs": [a.slug for a in objects]}
    tmp = data_path.with_name(data_path.name + ".tmp")
    try:
        with open(tmp, "wb") as fh:
            # what a rebuild makes again for the posts it renders: not worth reading back
            snapshot_file.dump(fh, data, objects, state.settings, DERIVED)
    except Exception as exc:  # noqa: BLE001 - whatever pickle refuses (a plugin's object)
        tmp.unlink(missing_ok=True)
        data_path.unlink(missing_ok=True)
        log.warning("ownmedia: build snapshot not saved (%s: %s); the next rebuild reads "
                    "every post", type(exc).__name__, exc)
        return
    os.replace(tmp, data_path)
    meta = {"format": FORMAT, "output": str(state.output), "configuration": configuration,
            "site": state.site, "stamps": stamps, "sources": sources,
            "slugs": sorted({a.slug for a in objects}),
            "sha256": _digest(data_path)}
    atomic_write_text(meta_path, json.dumps(meta), durable=False)  # lost: a full build


PRINT_TEMPLATES = incremental.CACHED_TEMPLATES  # the print view's templates

# per-article attributes a rebuild from the snapshot makes again for the posts it renders
# (plugins/print_view's per-build data and plugins/print_qr's code, plugins/share's links)
DERIVED = ("_ownmedia_print_data", "print_qr", "share_links")


def _digest(path: Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


# --- the quick rebuild ---------------------------------------------------------------------------
def quick_build(pelican) -> bool:
    """Rebuild from the snapshot when only post texts and comment files changed; False when
    Pelican's run must do it (nothing was written then)."""
    settings = pelican.settings
    if not enabled(settings) or settings.get("OWNMEDIA_DRY_RUN") or not \
            plugin_enabled(settings, "incremental"):
        return False
    noted = incremental.NOTED.get(id(settings))
    if noted is None:
        return False
    state = incremental.BuildState(settings, open_cache=False)
    meta_path, data_path = _paths(state)
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return False
    except (OSError, ValueError) as exc:
        return _ignored(state, f"unreadable: {exc}")
    try:
        start = time.perf_counter()
        if not isinstance(meta, dict):
            return _ignored(state, "not a snapshot's metadata")
        if meta.get("format") != FORMAT:
            return _ignored(state, f"format {meta.get('format')!r}, this version reads "
                                   f"{FORMAT}")
        if meta.get("output") != str(state.output):
            return _ignored(state, "not a snapshot of this output")
        if meta.get("configuration") != noted[1]:
            return _fallback("code, settings or plugins changed")
        edited, commented = _changes(settings, meta, noted[0])
        publisher, articles, loaded = _load(settings, state, meta, data_path, edited,
                                            commented, noted[0])
        publisher._render(articles, wait=0.0, inputs=incremental._INPUTS.get(id(settings), ""))
        _save_patch(state, meta, loaded, noted[0])
    except _Unusable as exc:
        return _fallback(str(exc))
    except (_Corrupt, snapshot_file.Damaged) as exc:
        return _ignored(state, str(exc))
    incremental._INPUTS.pop(id(settings), None)
    incremental.NOTED.pop(id(settings), None)
    rendered, skipped = publisher.counts
    objects = loaded.store.objects
    used = sum(not snapshot_file.is_unread(o) for o in objects)
    log.info("ownmedia: %d files rendered, %d up to date (from the build snapshot: %d posts "
             "read again, %d with changed comments, %d of %d posts taken from it; %.2f s)",
             rendered, skipped, len(loaded.read), len(commented), used, len(objects),
             time.perf_counter() - start)
    return True


class _Corrupt(Exception):
    """The snapshot's files are damaged or not ours."""


def _ignored(state, why: str) -> bool:
    log.warning("ownmedia: build snapshot %s ignored (%s); reading every post",
                _paths(state)[1], why)
    _remove(state)
    return False


def _fallback(why: str) -> bool:
    log.info("ownmedia: %s; reading every post", why)
    return False


def _changes(settings: dict, meta: dict, now: dict[str, str]) -> tuple[list[str], list[str]]:
    """(post sources whose text changed, slugs whose comment files changed), or _Unusable."""
    before = meta.get("stamps")
    if not isinstance(before, dict):
        raise _Corrupt("no stamps")
    sources, slugs = set(meta.get("sources") or []), set(meta.get("slugs") or [])
    comments = Path(settings["PATH"]).resolve() / settings.get("COMMENTS_PATH", "comments")
    edited, commented = [], set()
    for path in sorted(set(before) | set(now)):
        if before.get(path) == now.get(path):
            continue
        if path in sources and path in now and path in before:
            edited.append(path)
            continue
        rel = Path(path)
        if rel.suffix == ".md" and rel.parent.parent == comments and rel.parent.name in slugs:
            commented.add(rel.parent.name)
            continue
        raise _Unusable(f"{path} was added, removed or is not a post's text")
    if not edited and not commented:
        raise _Unusable("no post or comment changed")
    return edited, sorted(commented)


class _Loaded:
    """What a rebuild took from the snapshot and its patch, for the next patch."""

    def __init__(self, store, patch: dict[int, tuple[str, bytes]], read: list[int]):
        self.store, self.patch, self.read = store, patch, read


def _load(settings: dict, state, meta: dict, data_path: Path, edited: list[str],
          commented: list[str], now: dict[str, str]):
    """The live publisher's renderer, holding the snapshot (with the posts of its patch that
    did not change since), with the changed posts read again and refreshed; the articles to
    render; what the next patch is made from. Only the posts the rendered files show are
    read from the snapshot (ownmedia.snapshot_file)."""
    from pelican.generators import ArticlesGenerator

    from ownmedia.comments.publish import LivePublisher

    # compiled templates kept, and not checked against their files at every use: this
    # environment lives for one rebuild, which runs only when no theme file changed since
    # the snapshot (_changes)
    incremental.use_template_cache(settings, state.folder)
    # the generator for its Jinja environment and reader: Pelican's reader cache is not
    # loaded (the changed posts are read anyway, the others come from the snapshot)
    gen_settings = dict(settings, LOAD_CONTENT_CACHE=False, CACHE_CONTENT=False)
    gen = ArticlesGenerator(context={}, settings=gen_settings, path=settings["PATH"],
                            theme=settings["THEME"], output_path=settings["OUTPUT_PATH"])
    try:
        if _digest(data_path) != meta.get("sha256"):
            raise _Corrupt("checksum mismatch")
        with open(data_path, "rb") as fh:
            store = snapshot_file.Store(fh, settings, gen)
        data = store.data
        context, lists, recording = data["context"], data["lists"], data["recording"]
        shows, file_fps, object_fps = data["shows"], data["file_fps"], data["object_fps"]
        slugs = data["slugs"]
        if not isinstance(context, dict) or not isinstance(recording, list) or \
                len(shows) != len(recording) or len(slugs) != len(store.objects) or \
                len(meta["sources"]) != len(store.objects):
            raise _Corrupt("not a build snapshot")
    except FileNotFoundError as exc:
        raise _Corrupt("its data file is missing") from exc
    except (KeyError, TypeError) as exc:
        raise _Corrupt(f"not a build snapshot ({type(exc).__name__}: {exc})") from exc
    except snapshot_file.Damaged as exc:
        raise _Corrupt(str(exc)) from exc
    gen.context = context
    for name, items in lists.items():
        setattr(gen, name, items)
    sources, objects = meta["sources"], store.objects
    by_source = dict(zip(sources, objects, strict=True))
    patch = _apply_patch(state, meta, store, now)
    patched = {sources[n] for n in patch}
    edited = [path for path in edited if path not in patched]
    articles: list = []
    for path in edited:
        article = by_source[path]
        store.read(article)
        _refresh(gen, settings, state, article, lists)
        articles.append(article)
    if commented or edited:
        from ownmedia.plugins import comments as comments_plugin

        if plugin_enabled(settings, "comments"):
            for slug in {*commented, *(a.slug for a in articles)}:
                found = [o for o, s in zip(objects, slugs, strict=True) if s == slug]
                try:
                    comments = comments_plugin.read_post_comments(settings, slug)
                except Exception as exc:  # noqa: BLE001 - the full build reports it
                    raise _Unusable(f"comment files of {slug}: {exc}") from exc
                for article in found:
                    comments_plugin.attach(article, comments, None, settings)
                    if all(article is not a for a in articles):
                        articles.append(article)
        elif commented:
            articles += [o for o, s in zip(objects, slugs, strict=True) if s in commented]
    shown = {id(a) for name in ("articles", "translations") for a in lists[name]}
    siteurl = settings.get("SITEURL", "")
    for article in articles:
        if id(article) not in shown:
            continue
        if plugin_enabled(settings, "share"):
            from ownmedia.plugins import share

            share.attach_share_links(article, settings)
        if plugin_enabled(settings, "print_qr"):
            from ownmedia.plugins.print_qr import PrintQr
            from ownmedia.plugins.print_view import print_data

            article.print_qr = PrintQr(print_data(article, siteurl, None))
    # only the Writer calls that show the posts to render, each with their ids
    targets = {a.source_path: id(a) for a in articles}
    calls = []
    for numbers, call in zip(shows, recording, strict=True):
        ids = {targets[sources[n]] for n in numbers if sources[n] in targets}
        if ids:
            calls.append((ids, call))
    publisher = LivePublisher("", settings["PATH"], settings["OUTPUT_PATH"])
    publisher.adopt(settings, gen, [], meta["site"])
    publisher._calls = calls
    # the file hashes the snapshot's build took, but of the files read again
    changed = {*edited, *patched}
    publisher._file_fps = {k: v for k, v in file_fps.items() if k not in changed}
    # and its posts' fingerprints, but of the posts read again (now or since) or with new
    # comments
    renew = {id(a) for a in articles} | {id(objects[n]) for n in patch}
    publisher._object_fps = {(id(objects[n]), with_comments): fp
                             for n, with_comments, fp in object_fps
                             if id(objects[n]) not in renew}
    number = {path: n for n, path in enumerate(sources)}
    patch = {n: entry for n, entry in patch.items() if sources[n] not in edited}
    return publisher, articles, _Loaded(store, patch, [number[path] for path in edited])


# --- the patch: posts read again since the snapshot ------------------------------------------
# A rebuild from the snapshot reads the posts changed since the snapshot's build; without a
# record of what it read, each later rebuild would read them all again (every post edited
# since the last full build). The patch keeps each such post as the rebuild left it, in the
# snapshot file's own format (ownmedia.snapshot_file), with the stamp of the text it was read
# from, in one small file beside the snapshot (made again by every rebuild, removed by every
# full build). A patch that does not match the snapshot, or is damaged, is ignored (those
# posts are read again).
def _apply_patch(state, meta: dict, store, now: dict[str, str]) -> dict[int, tuple[str, bytes]]:
    """Put the patch's posts whose text is as they were read back into the snapshot (read
    when used, as the others); the entries applied."""
    path = _patch_path(state)
    try:
        with open(path, "rb") as fh:
            data = pickle.load(fh)
        if not isinstance(data, dict) or data.get("base") != meta.get("sha256"):
            raise ValueError("not a patch of this snapshot")
        applied = {}
        for n, (stamp, blob) in data["posts"].items():
            if not isinstance(blob, bytes) or not 0 <= n < len(store.objects):
                raise ValueError("not a patch of this snapshot")
            if now.get(meta["sources"][n]) != stamp:
                continue  # changed again: read again
            applied[n] = (stamp, blob)
    except FileNotFoundError:
        return {}
    except Exception as exc:  # noqa: BLE001 - a damaged patch costs only reading again
        log.info("ownmedia: build snapshot patch %s ignored (%s: %s)", path,
                 type(exc).__name__, exc)
        path.unlink(missing_ok=True)
        return {}
    for n, (_, blob) in applied.items():
        store.replace(n, blob)
    return applied


def _save_patch(state, meta: dict, loaded: _Loaded, now: dict[str, str]) -> None:
    posts = dict(loaded.patch)
    for n in loaded.read:
        try:
            blob = loaded.store.dump_post(n, DERIVED)
        except Exception as exc:  # noqa: BLE001 - whatever pickle refuses: read it again
            log.info("ownmedia: %s not kept in the snapshot patch (%s: %s)",
                     meta["sources"][n], type(exc).__name__, exc)
            continue
        posts[n] = (now.get(meta["sources"][n], ""), blob)
    path = _patch_path(state)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as fh:
        pickle.dump({"base": meta.get("sha256"), "posts": posts}, fh,
                    protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path)


def _refresh(gen, settings: dict, state, article, lists: dict) -> None:
    """Read one post again (Pelican's reader, its signals) into the snapshot's object, then
    what the plugins attach to each article in a full build; _Unusable when its structure or
    anything the other outputs show of it changed."""
    from pelican import signals
    from pelican.contents import Article

    before = incremental._structure_entry(article)
    links = article.get_static_links()
    if getattr(article, "videos", None):
        raise _Unusable(f"{article.source_path} has videos (the video manifest)")
    problems = _problems(settings)
    rel = os.path.relpath(article.source_path, gen.path)
    try:
        fresh = gen.readers.read_file(
            base_path=gen.path, path=rel, content_class=Article, context=gen.context,
            preread_signal=signals.article_generator_preread, preread_sender=gen,
            context_signal=signals.article_generator_context, context_sender=gen)
    except Exception as exc:  # noqa: BLE001 - Pelican's run reports it as it does
        raise _Unusable(f"{rel} could not be read ({exc})") from exc
    if not isinstance(fresh, Article) or not fresh.is_valid():
        raise _Unusable(f"{rel} is not a valid article any more")
    if _problems(settings) != problems or getattr(fresh, "videos", None):
        raise _Unusable(f"{rel}: a CTA or video marker to check")
    if fresh.get_static_links() != links:
        raise _Unusable(f"{rel}: its static links changed")
    translations = getattr(article, "translations", [])
    vars(article).clear()
    vars(article).update(vars(fresh))
    article.translations = translations
    article.settings = settings
    if incremental._structure_entry(article) != before:
        raise _Unusable(f"{rel}: its slug, URL, title, date, taxonomy or status changed")
    siteurl = settings.get("SITEURL", "")
    shown = any(article is a for name in ("articles", "translations") for a in lists[name])
    listed = shown or any(article is a for name in ("drafts", "drafts_translations")
                          for a in lists[name])
    if plugin_enabled(settings, "print_view") and shown:
        from ownmedia.plugins import print_view

        article.print_url = print_view.print_url(article.save_as)
    if plugin_enabled(settings, "seo") and listed:
        from ownmedia.plugins import seo
        from ownmedia.plugins.seo.checks import check_content

        try:
            check_content(article, settings)
        except Exception as exc:  # noqa: BLE001 - Pelican's run reports it
            raise _Unusable(f"{rel}: {exc}") from exc
        article.seo = seo.seo_meta(article, siteurl, True, settings)


def _problems(settings: dict) -> tuple:
    """What the CTA and video plugins noted while reading (their build states)."""
    found = []
    for name in ("_OWNMEDIA_CTA_BUILD", "_OWNMEDIA_VIDEO_BUILD"):
        state = settings.get(name)
        found.append(tuple(getattr(state, "errors", ()) or ()))
        found.append(len(getattr(state, "videos", ()) or ()))
    return tuple(found)
