"""Build existing Pelican sites with vanilla Pelican and with every ownmedia plugin, each with
the site's own settings and its own theme, and compare the times (not part of `make test`).

    python bench/bench_pelican_sites.py SITE_DIR... [--runs 3] [--json]

Each SITE_DIR is a site's checkout (pelicanconf.py, content/, its theme); it is copied to a
temporary folder first and never changed. The site's publishconf.py is used when there is one
(absolute SITEURL, as for publication), else pelicanconf.py. For the ownmedia build, the copy's
theme gets the README's one-line snippet includes (head, print link, end of article) and a
settings file that loads the site's own, then adds ownmedia's plugins (imported from this
checkout, so that a same-named plugin of another package cannot shadow one) to the site's
PLUGINS (or to the namespace plugins Pelican would have auto-loaded). Every run is a cold
build: a fresh output and cache folder, in a new process; the two variants alternate run by
run. The times are the best of --runs, wall and CPU (the build and its worker processes).

After the ownmedia build it checks that every article got a print view with its QR code, and
counts the article pages that show the print link, share links and comment form.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

WRAPPER = '''"""ownmedia bench: the site's own settings (vanilla), plus every ownmedia plugin
and the patched copy of its theme (ownmedia)."""
import importlib
import json
import os
import sys

sys.path.insert(0, {root!r})  # ownmedia's plugins package (a regular package wins over a
sys.path.insert(0, {site!r})  # site's plugins/ folder); the site first for its own modules
from pelican.settings import get_settings_from_file as _read

globals().update(_read({settings!r}))


def _ours(name):
    return importlib.import_module(name if "." in name else "plugins." + name)


for _key, _value in json.loads(os.environ.get("OWNMEDIA_BENCH_SET", "{{}}")).items():
    globals()[_key] = _value  # --set: what the site needs to build with this Pelican
CACHE_PATH = os.environ["OWNMEDIA_BENCH_CACHE"]
if os.environ.get("OWNMEDIA_BENCH_VARIANT") == "ownmedia":
    _repo = _read({repo_conf!r})
    if "PLUGINS" in globals() and PLUGINS is not None:
        _theirs = list(PLUGINS)
    else:  # Pelican auto-loads the namespace plugins when PLUGINS is unset
        from pelican.plugins._utils import get_namespace_plugins
        _theirs = list(get_namespace_plugins().values())
    _skip = set(filter(None, os.environ.get("OWNMEDIA_BENCH_SKIP", "").split(",")))
    PLUGINS = _theirs + [_ours(n) for n in _repo["PLUGINS"]
                         if n.rsplit(".", 1)[-1] not in _skip]
    THEME = {theme!r}
    OWNMEDIA_UNREADABLE_CONTENT = "warn"  # Pelican drops such files; so does this build
    SITE_LANGUAGES = sorted({{*globals().get("SITE_LANGUAGES", ()),
                             globals().get("DEFAULT_LANG", "en"), "en", "fr"}})
'''

HEAD = '{% include "ownmedia/head.html" %}\n'
ARTICLE = ('{% include "ownmedia/print_link.html" %}\n'
           '{% include "ownmedia/article_end.html" %}\n')


SKIP: list[str] = []  # --skip: ownmedia plugins left out (to see what each costs)


SETTINGS: list[str] = []  # --settings: the settings file's name in each site


def settings_file(site: Path) -> Path:
    for name in [*SETTINGS, "publishconf.py", "pelicanconf.py"]:
        if (site / name).is_file():
            return site / name
    raise SystemExit(f"{site}: no publishconf.py or pelicanconf.py (give --settings NAME)")


def read_settings(site: Path, conf: Path) -> dict:
    """The site's settings, read in a subprocess (they may import the site's modules)."""
    code = ("import json,sys;sys.path.insert(0,'.');from pelican.settings import read_settings;"
            f"s=read_settings({str(conf)!r});"
            "print(json.dumps({k: s[k] for k in ('THEME','PATH')}))")
    out = subprocess.run([sys.executable, "-c", code], cwd=site, capture_output=True,
                         text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def patch_theme(theme: Path) -> list[str]:
    """The README's one-line includes, put where a user would put them."""
    patched = []
    templates = theme / "templates"
    for path in sorted(templates.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        new = text
        if "</head>" in new and "ownmedia/head.html" not in new:
            new = new.replace("</head>", HEAD + "</head>", 1)
        if path.name == "article.html" and "article.content" in new:
            lines = new.splitlines(keepends=True)
            at = next(i for i, line in enumerate(lines) if "article.content" in line)
            # after the tag that closes the body's line (the include is a block of its own)
            lines.insert(at + 1, ARTICLE)
            new = "".join(lines)
        if new != text:
            path.write_text(new, encoding="utf-8")
            patched.append(str(path.relative_to(theme)))
    return patched


SET: dict = {}  # --set KEY=JSON: settings both builds get


def run_pelican(site: Path, conf: Path, out: Path, cache: Path,
                variant: str) -> tuple[float, float, str, int]:
    """One cold build in a new process: wall seconds, CPU seconds (the build and the worker
    processes it waited for), its log and exit code."""
    for folder in (out, cache):
        shutil.rmtree(folder, ignore_errors=True)
    env = {"OWNMEDIA_BENCH_CACHE": str(cache), "PATH": "/usr/bin:/bin",
           "OWNMEDIA_BENCH_SKIP": ",".join(SKIP), "OWNMEDIA_BENCH_VARIANT": variant,
           "OWNMEDIA_BENCH_SET": json.dumps(SET),
           "HOME": str(Path.home()), "LANG": "C.UTF-8", "COLUMNS": "200"}
    with tempfile.TemporaryFile() as log:
        start = time.perf_counter()
        child = subprocess.Popen([sys.executable, "-m", "pelican", "content", "-s", str(conf),
                                  "-o", str(out)], cwd=site, stdout=log,
                                 stderr=subprocess.STDOUT, env=env)
        _, status, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        log.seek(0)
        text = log.read().decode("utf-8", errors="replace")
    return elapsed, usage.ru_utime + usage.ru_stime, text, child.returncode


def check_output(out: Path) -> dict:
    """Article pages and what they show (pages with data from our plugins' snippets)."""
    print_views = list(out.rglob("print/index.html"))
    with_qr = sum("qr-code" in p.read_text(encoding="utf-8") for p in print_views)
    pages = {"print_link": 0, "share": 0, "comment_form": 0}
    for page in out.rglob("*.html"):
        if "/print/" in str(page) or not page.is_file():
            continue
        text = page.read_text(encoding="utf-8", errors="replace")
        if 'class="print-link"' in text:
            pages["print_link"] += 1
        if 'class="share"' in text:
            pages["share"] += 1
        if 'id="comment-form"' in text:
            pages["comment_form"] += 1
    missing = [n for n in ("print-view.css", "print.js", "comments.js", "tracker.js")
               if not (out / "ownmedia" / n).is_file()]
    return {"print_views": len(print_views), "print_views_with_qr": with_qr, **pages,
            "missing_static": missing}


def articles_processed(log: str) -> int | None:
    match = re.search(r"Processed\s+(\d+)\s+articles?", log)
    return int(match.group(1)) if match else None


def warnings(log: str) -> int:
    return len(re.findall(r"\bWARNING\b", log))


def bench_site(site_dir: Path, runs: int, work: Path) -> dict:
    site = work / site_dir.name
    shutil.copytree(site_dir, site, ignore=shutil.ignore_patterns(".git", "output", "cache"))
    conf = settings_file(site)
    settings = read_settings(site, conf)
    theme = work / f"{site_dir.name}-theme"
    shutil.copytree(settings["THEME"], theme)
    patched = patch_theme(theme)
    wrapper = site / "ownmedia_bench_conf.py"
    wrapper.write_text(WRAPPER.format(site=str(site), root=str(ROOT), settings=str(conf),
                                      repo_conf=str(ROOT / "pelicanconf.py"),
                                      theme=str(theme)), encoding="utf-8")
    result: dict = {"site": site_dir.name, "settings": conf.name, "patched": patched}
    runs_of: dict = {label: {"times": [], "cpu": [], "log": "", "exit": 0}
                     for label in ("vanilla", "ownmedia")}
    for n in range(runs):  # alternated, so both variants see the same load
        for label, run in runs_of.items():
            if run["exit"] != 0:
                continue
            elapsed, cpu, run["log"], run["exit"] = run_pelican(
                site, wrapper, work / f"out-{label}", work / f"cache-{label}-{n}", label)
            if run["exit"] == 0:
                run["times"].append(elapsed)
                run["cpu"].append(cpu)
    for label, run in runs_of.items():
        times, cpu, log = run["times"], run["cpu"], run["log"]
        result[label] = {"exit": run["exit"], "seconds": min(times) if times else None,
                         "cpu_seconds": min(cpu) if cpu else None,
                         "runs": [round(t, 2) for t in times],
                         "cpu_runs": [round(t, 2) for t in cpu], "warnings": warnings(log),
                         "articles": articles_processed(log)}
        if run["exit"] != 0:
            result[label]["log_tail"] = log[-3000:]
    if result["ownmedia"]["exit"] == 0:
        result["ownmedia"].update(check_output(work / "out-ownmedia"))
    v, o = result["vanilla"]["seconds"], result["ownmedia"]["seconds"]
    result["ratio"] = round(o / v, 3) if v and o else None
    vc, oc = result["vanilla"]["cpu_seconds"], result["ownmedia"]["cpu_seconds"]
    result["cpu_ratio"] = round(oc / vc, 3) if vc and oc else None
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Time vanilla Pelican and Pelican with every ownmedia plugin on existing "
                    "sites with their own themes / temps de construction de sites Pelican "
                    "existants, sans et avec les extensions ownmedia.")
    parser.add_argument("sites", nargs="+", type=Path, metavar="SITE_DIR")
    parser.add_argument("--runs", type=int, default=3, help="cold builds per variant (3)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--work", type=Path, help="keep the copies and outputs in this "
                        "(new) folder instead of a temporary one")
    parser.add_argument("--set", dest="settings", action="append", default=[],
                        metavar="KEY=JSON", help="a setting both builds get, e.g. "
                        "'CATEGORY_FEED_ATOM=\"feeds/{slug}.atom.xml\"' (repeatable)")
    parser.add_argument("--settings", dest="settings_name", default=None, metavar="NAME",
                        help="settings file in each SITE_DIR, e.g. pelican.conf.py for "
                        "Pelican's samples [publishconf.py, else pelicanconf.py]")
    parser.add_argument("--skip", default="", help="ownmedia plugins to leave out, "
                        "comma-separated (e.g. lang_sites,incremental)")
    args = parser.parse_args(argv)
    SKIP[:] = [n for n in args.skip.split(",") if n]
    SETTINGS[:] = [args.settings_name] if args.settings_name else []
    for item in args.settings:
        key, _, value = item.partition("=")
        SET[key] = json.loads(value)
    results = []
    with tempfile.TemporaryDirectory(prefix="ownmedia-bench-") as tmp:
        work = Path(tmp)
        if args.work:
            work = args.work.resolve()
            work.mkdir(parents=True)
        for site in args.sites:
            results.append(bench_site(site.resolve(), args.runs, work))
            if not args.json:
                print_result(results[-1])
    if args.json:
        print(json.dumps(results, indent=2))
    return 0 if all(r["vanilla"]["exit"] == 0 and r["ownmedia"]["exit"] == 0
                    for r in results) else 1


def print_result(r: dict) -> None:
    v, o = r["vanilla"], r["ownmedia"]
    print(f"{r['site']} ({r['settings']}): {v['articles']} articles; vanilla {v['seconds']}s "
          f"{v['runs']} exit {v['exit']}, {v['warnings']} warnings; ownmedia {o['seconds']}s "
          f"{o['runs']} exit {o['exit']}, {o['warnings']} warnings; ratio {r['ratio']}; CPU "
          f"{v['cpu_seconds']}s {v['cpu_runs']} vs {o['cpu_seconds']}s {o['cpu_runs']}, "
          f"ratio {r['cpu_ratio']} (load {os.getloadavg()[0]:.1f})")
    for key in ("print_views", "print_views_with_qr", "print_link", "share", "comment_form",
                "missing_static"):
        if key in o:
            print(f"  {key}: {o[key]}")
    if "log_tail" in o or "log_tail" in v:
        print((o.get("log_tail") or v.get("log_tail"))[-1500:])


if __name__ == "__main__":
    sys.exit(main())
