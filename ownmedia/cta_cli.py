"""`ownmedia ctas`: every call to action of the registry and the posts that place it, read from
the sources (no build), so an author sees where a CTA runs before changing or removing it."""

from __future__ import annotations

import importlib
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import click
from rich.console import Console
from rich.table import Table

from ownmedia.cli_options import json_option
from ownmedia.cli_output import echo_plain, to_terminal


@dataclass
class Use:
    """One place a CTA appears: a post (or page), its language and a line or "end"."""

    cta_id: str
    source: str
    slug: str
    lang: str
    where: str  # line number, "end" (metadata) or "end (default)"


def _cta_modules(settings: dict) -> tuple[ModuleType, ModuleType]:
    """The plugin's registry and Markdown modules, the ones the build loads
    (ownmedia.plugins.cta), so the listing and the build read CTAs with the same code."""
    return (importlib.import_module("ownmedia.plugins.cta.registry"),
            importlib.import_module("ownmedia.plugins.cta.markdown_ext"))


def scan(settings: dict) -> tuple[dict, list[Use], list[str]]:
    """(registry, uses, problems) for the Markdown posts and pages under the settings' PATH."""
    from pelican.contents import Article, Page
    from pelican.readers import Readers

    registry_mod, markdown_mod = _cta_modules(settings)
    ctas = registry_mod.parse_registry(settings.get("CTAS"))
    default = settings.get("CTA_DEFAULT") or ""
    if default.lower() in ("none", "no", "false", "off"):
        default = ""
    problems: list[str] = []
    if default and default not in ctas:
        problems.append(f"CTA_DEFAULT = {default!r} is not in CTAS")
    base = Path(settings["PATH"])
    readers = Readers(settings)
    uses: list[Use] = []
    kinds = [(settings.get("ARTICLE_PATHS") or [], Article),
             (settings.get("PAGE_PATHS") or [], Page)]
    for paths, content_class in kinds:
        for sub in paths:
            for path in sorted((base / sub).rglob("*.md")):
                rel = str(path.relative_to(base))
                try:
                    item = readers.read_file(base_path=str(base), path=rel,
                                             content_class=content_class)
                except Exception as exc:  # a broken post must not hide the others
                    problems.append(f"{rel}: cannot be read: {exc}")
                    continue
                slug, lang = item.slug, item.lang
                text = path.read_text(encoding="utf-8-sig")
                seen: dict[str, int] = {}
                for placement in markdown_mod.placements_in_text(text):
                    cid, line = placement.cta_id, placement.line
                    if cid in seen:
                        problems.append(f"{rel}:{line}: post '{slug}': duplicate CTA id '{cid}' "
                                        f"(already placed on line {seen[cid]})")
                        continue
                    seen[cid] = line
                    uses.append(Use(cid, rel, slug, lang, str(line)))
                if content_class is Article:
                    chosen = item.metadata.get("cta")
                    where = "end"
                    if chosen is None:
                        chosen, where = default, "end (default)"
                        if chosen in seen:
                            chosen = ""
                    chosen = str(chosen).strip()
                    if chosen and chosen.lower() not in ("none", "no", "false", "off"):
                        uses.append(Use(chosen, rel, slug, lang, where))
    for use in uses:
        where = f"{use.source}:{use.where}" if use.where.isdigit() else use.source
        cta = ctas.get(use.cta_id)
        if cta is None:
            problems.append(f"{where}: post '{use.slug}': unknown CTA id '{use.cta_id}'")
        elif not cta.url:
            problems.append(f"{where}: post '{use.slug}': CTA id '{use.cta_id}' has no "
                            "destination ('url')")
    return ctas, uses, problems


@click.command(name="ctas")
@click.option("--settings", "settings_file", default="pelicanconf.py", show_default=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Pelican settings / réglages Pelican (CTAS, CTA_DEFAULT, the content PATH).")
@json_option()
@click.option("--goals", "show_goals", is_flag=True,
              help="Print the conversion goals / afficher les objectifs de conversion (CTA "
                   "Click, CTA_GOAL_PAGES) and the `ownmedia goals add` commands that declare "
                   "them.")
def ctas(settings_file: Path, as_json: bool, show_goals: bool) -> None:
    """List the calls to action / liste les appels à l'action (CTA) and the posts placing them.

    Reads the posts' Markdown: `[[cta:<id>]]` lines, the `cta:` metadata and CTA_DEFAULT.
    Exits with status 1 when a post places an unknown CTA, one without destination, or the
    same CTA twice (the problems the build would stop on)."""
    from pelican.settings import read_settings

    try:
        settings = read_settings(str(settings_file))
        registry, uses, problems = scan(settings)
    except Exception as exc:  # settings or registry errors: say what, not a traceback
        if type(exc).__name__ in ("CTAError", "CTABuildError") or isinstance(
            exc, (ValueError, OSError, SyntaxError)
        ):
            raise click.ClickException(f"{settings_file}: {exc}") from None
        raise
    if show_goals:
        _print_goals(settings, registry, as_json)
        return
    if as_json:
        click.echo(json.dumps({
            "ctas": {cid: {"label": c.label, "url": c.url, "goal": c.goal,
                           "places": [u.__dict__ for u in uses if u.cta_id == cid]}
                     for cid, c in registry.items()},
            "problems": problems,
        }, ensure_ascii=False, indent=2))
    elif not to_terminal():
        _print_plain(registry, uses, problems, settings.get("CTA_DEFAULT") or "")
    else:
        _print_table(registry, uses, problems, settings.get("CTA_DEFAULT") or "")
    if problems:
        sys.exit(1)


def _print_plain(registry: dict, uses: list[Use], problems: list[str], default: str) -> None:
    """One line per place a CTA runs (a CTA placed nowhere: one line, empty place), whole
    values; problems go to standard error so the lines stay a table."""
    rows = []
    for cid, cta in registry.items():
        labels = " / ".join(dict.fromkeys(cta.label_for(lang) for lang in ("fr", "en")))
        places = [u for u in uses if u.cta_id == cid] or [None]
        for u in places:
            rows.append((cid, "yes" if cid == default else "", labels, cta.url, cta.goal or "",
                         u.slug if u else "", u.lang if u else "", u.source if u else "",
                         u.where if u else ""))
    echo_plain(("id", "default", "label", "destination", "goal", "post", "lang", "source",
                "where"), rows)
    for problem in problems:
        click.echo(f"problem: {problem}", err=True)


def _print_table(registry: dict, uses: list[Use], problems: list[str], default: str) -> None:
    console = Console()
    table = Table(title="Calls to action / appels à l'action", show_lines=True)
    for column in ("id", "label (fr / en)", "destination", "goal", "placed in / placé dans"):
        table.add_column(column, overflow="fold")
    for cid, cta in registry.items():
        labels = " / ".join(dict.fromkeys(cta.label_for(lang) for lang in ("fr", "en")))
        by_slug: dict[str, list[str]] = {}
        for u in uses:
            if u.cta_id == cid:
                where = f"line {u.where}" if u.where.isdigit() else u.where
                by_slug.setdefault(u.slug, []).append(f"{u.lang}: {where}")
        places = [f"{slug} ({', '.join(wheres)})" for slug, wheres in by_slug.items()]
        name = f"{cid} (default)" if cid == default else cid
        table.add_row(name, labels, cta.url or "[red]missing[/red]", cta.goal or "",
                      "\n".join(places) or "[dim]not placed / non placé[/dim]")
    console.print(table)
    for problem in problems:
        console.print(f"[red]problem:[/red] {problem}", highlight=False)


def _print_goals(settings: dict, registry: dict, as_json: bool) -> None:
    """Goals in the shape of Plausible's Sites API, and the commands for the collector."""
    import shlex

    registry_mod, _ = _cta_modules(settings)
    try:
        pages = registry_mod.parse_goal_pages(settings.get("CTA_GOAL_PAGES"))
    except registry_mod.CTAError as exc:
        raise click.ClickException(str(exc)) from None
    goals = registry_mod.goal_definitions(registry, pages)
    if as_json:
        click.echo(json.dumps(goals, ensure_ascii=False, indent=2))
        return
    for goal in goals:
        if goal["goal_type"] == "event":
            args = ["--event", goal["event_name"]]
        else:
            args = ["--page", goal["page_path"], "--name", goal["display_name"]]
        click.echo(shlex.join(["ownmedia", "goals", "add", *args]))
