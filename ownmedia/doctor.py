"""`ownmedia doctor [SITE_DIR]`: what a Pelican site needs for ownmedia's plugins to show, checked
without building: each plugin resolves to ours (not to another package's plugin of the same
name), the theme includes the snippets of the plugins it uses, SITEURL is absolute where QR
codes and share links need it, and the ownmedia settings have valid values.

Each finding is an error (the plugins cannot work: exit 1), a warning (something will be
missing or wrong on the pages) or ok. Nothing is imported from the site but its settings file,
which Pelican would run anyway; plugins are located, not loaded."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

import click

from ownmedia.cli_i18n import tr
from ownmedia.cli_options import json_option
from ownmedia.pelican_support import OURS, SNIPPETS_DIR, site_url_warning

ERROR, WARNING, OK = "error", "warning", "ok"

# What each plugin shows, the snippet that shows it, and where a theme includes it. A snippet
# counts as included when the theme names it or one of the snippets that include it.
SNIPPETS = {
    "print_view": [("print link", "ownmedia/print_link.html", "article.html")],
    "print_qr": [("print-only QR code", "ownmedia/print_qr.html", "article.html")],
    "share": [("share links", "ownmedia/share.html", "article.html")],
    "comments": [("comments and comment form", "ownmedia/comments.html", "article.html")],
    "cta": [("end-of-post call to action", "ownmedia/cta.html", "article.html")],
    "analytics": [("analytics tag", "ownmedia/analytics.html", "base.html")],
    "seo": [("canonical and OpenGraph tags", "ownmedia/seo.html", "base.html")],
}
INCLUDED_BY = {name: "ownmedia/article_end.html" for name in
               ("ownmedia/print_qr.html", "ownmedia/share.html", "ownmedia/comments.html",
                "ownmedia/cta.html")}
INCLUDED_BY.update({"ownmedia/analytics.html": "ownmedia/head.html",
                    "ownmedia/seo.html": "ownmedia/head.html"})
UNREADABLE_VALUES = ("error", "warn")


@dataclass
class Finding:
    level: str
    check: str
    message: str


@dataclass
class Report:
    site: str
    settings: str
    findings: list[Finding] = field(default_factory=list)

    def add(self, level: str, check: str, message: str) -> None:
        self.findings.append(Finding(level, check, message))

    @property
    def errors(self) -> int:
        return sum(f.level == ERROR for f in self.findings)

    @property
    def warnings(self) -> int:
        return sum(f.level == WARNING for f in self.findings)

    def as_dict(self) -> dict:
        return {"site": self.site, "settings": self.settings, "errors": self.errors,
                "warnings": self.warnings, "findings": [asdict(f) for f in self.findings]}


def our_plugin_roots() -> list[Path]:
    """Where ownmedia's plugins live: this checkout's plugins/ and the installed package."""
    from ownmedia.site import ROOT

    return [(ROOT / "plugins").resolve(), Path(__file__).resolve().parent]


def plugin_origin(entry: object, plugin_paths: list[str], namespace: dict) -> str | None:
    """The file Pelican would load for one PLUGINS entry, found as Pelican finds it
    (namespace plugins first, then PLUGIN_PATHS, then the import path), without running it."""
    if not isinstance(entry, str):
        return getattr(entry, "__file__", None)
    for name in (entry, f"pelican.plugins.{entry}"):
        if name in namespace:
            return getattr(namespace[name], "__file__", None)
    try:
        spec = None
        if "." not in entry:
            spec = importlib.machinery.PathFinder.find_spec(entry, plugin_paths)
        if spec is None:
            spec = importlib.util.find_spec(entry)
    except (ImportError, ValueError):
        return None
    return spec.origin if spec else None


def is_ours(origin: str) -> bool:
    path = Path(origin).resolve()
    return any(path.is_relative_to(root) for root in our_plugin_roots())


def check_plugins(report: Report, settings: dict) -> set[str]:
    """Which of our plugins the site loads; an error for each one shadowed or not found."""
    from pelican.plugins._utils import get_namespace_plugins

    namespace = get_namespace_plugins()
    entries = settings.get("PLUGINS")
    if entries is None:
        report.add(WARNING, "plugins", tr(
            "PLUGINS is not set: Pelican loads only its namespace plugins "
            f"({', '.join(sorted(namespace)) or 'none installed'}), no ownmedia plugin. Listing "
            "ownmedia's turns the automatic loading off: list those too.",
            "PLUGINS n'est pas défini : Pelican ne charge que ses extensions d'espace de noms "
            f"({', '.join(sorted(namespace)) or 'aucune installée'}), aucune d'ownmedia. Lister "
            "celles d'ownmedia arrête le chargement automatique : listez aussi celles-là."))
        return set()
    loaded: set[str] = set()
    paths = [str(p) for p in settings.get("PLUGIN_PATHS") or []]
    for entry in entries:
        name = getattr(entry, "__name__", entry)
        short = str(name).rsplit(".", 1)[-1]
        if short not in OURS or ("." in str(name) and not str(name).startswith("ownmedia.")):
            continue  # another package's plugin named in full (pelican.plugins.seo): chosen
        origin = plugin_origin(entry, paths, namespace)
        if origin is None:
            report.add(ERROR, "plugins", tr(
                f"plugin {name!r} cannot be found (PLUGIN_PATHS: {paths or 'none'})",
                f"extension {name!r} introuvable (PLUGIN_PATHS : {paths or 'aucun'})"))
        elif not is_ours(origin):
            report.add(ERROR, "plugins", tr(
                f"plugin {name!r} is not ownmedia's: Pelican loads {origin} instead (another "
                "package's plugin of the same name); use ownmedia's own plugin name",
                f"l'extension {name!r} n'est pas celle d'ownmedia : Pelican charge {origin} "
                "(une extension homonyme d'un autre paquet) ; utilisez le nom propre à ownmedia"))
        else:
            loaded.add(short)
            report.add(OK, "plugins", tr(f"plugin {name!r}: ownmedia's ({origin})",
                                         f"extension {name!r} : celle d'ownmedia ({origin})"))
    others = [str(getattr(e, "__name__", e)) for e in entries] if entries is not None else []
    if "seo" in loaded:  # other packages' plugins doing part of its job: ours steps back
        from ownmedia.plugins.seo.others import left_to_others

        theirs = [n for n in others if not is_ours(plugin_origin(n, paths, namespace) or "/")]
        left = left_to_others(theirs, settings)
        if left:
            report.add(OK, "plugins", tr(
                f"{left.summary()}: ownmedia's seo leaves them out (written once)",
                f"{left.summary()} : l'extension seo d'ownmedia ne les écrit pas (une seule "
                "fois)"))
    if not loaded and not report.errors:
        report.add(WARNING, "plugins", tr("no ownmedia plugin in PLUGINS",
                                          "aucune extension ownmedia dans PLUGINS"))
    return loaded


def theme_templates(settings: dict) -> dict[str, str]:
    """The theme's templates by name (and its overrides'), as text."""
    folders = [Path(p) for p in settings.get("THEME_TEMPLATES_OVERRIDES") or []
               if Path(p).resolve() != SNIPPETS_DIR.resolve()]
    folders.append(Path(settings["THEME"]) / "templates")
    found: dict[str, str] = {}
    for folder in folders:
        for path in sorted(folder.rglob("*.html")) if folder.is_dir() else []:
            found.setdefault(str(path.relative_to(folder)), path.read_text(errors="replace"))
    return found


def includes(text: str, snippet: str) -> bool:
    return re.search(r"""\{%-?\s*include\s+["']""" + re.escape(snippet) + "[\"']", text) \
        is not None


def check_templates(report: Report, settings: dict, plugins: set[str]) -> None:
    templates = theme_templates(settings)
    if "article.html" not in templates:
        report.add(ERROR, "templates", tr(
            f"the theme ({settings['THEME']}) has no article.html",
            f"le thème ({settings['THEME']}) n'a pas d'article.html"))
        return
    for plugin in sorted(plugins):
        for what, snippet, where in SNIPPETS.get(plugin, []):
            names = [snippet] + ([INCLUDED_BY[snippet]] if snippet in INCLUDED_BY else [])
            users = [t for t, text in templates.items() if any(includes(text, n)
                                                             for n in names)]
            if users:
                report.add(OK, "templates", tr(
                    f"{what} ({plugin}): included by {', '.join(users)}",
                    f"{what} ({plugin}) : inclus par {', '.join(users)}"))
            else:
                report.add(WARNING, "templates", tr(
                    f"{what} ({plugin}) will not appear: add {{% include \"{snippet}\" %}} "
                    f"to the theme's {where} (or {names[-1]} for all of that place's snippets)",
                    f"{what} ({plugin}) n'apparaîtra pas : ajoutez {{% include \"{snippet}\" "
                    f"%}} au {where} du thème (ou {names[-1]} pour tous ceux de cet endroit)"))
    if "print_view" in plugins and "print.html" in templates:
        report.add(OK, "templates", tr("the theme's own print.html renders the print views",
                                       "le print.html du thème rend les vues d'impression"))


def check_siteurl(report: Report, site: Path, settings: dict, plugins: set[str]) -> None:
    if not plugins & {"print_view", "print_qr", "share", "seo"}:
        return
    message = site_url_warning(settings)
    if message is None:
        report.add(OK, "siteurl", f"SITEURL {settings['SITEURL']}")
        return
    publish = site / "publishconf.py"
    published = None
    if publish.is_file():
        from pelican.settings import read_settings

        published = read_settings(str(publish)).get("SITEURL", "")
    if published and site_url_warning({"SITEURL": published}) is None:
        report.add(WARNING, "siteurl", tr(
            f"{message}; publishconf.py has {published}: build for publication with it",
            f"{message} ; publishconf.py a {published} : publiez avec lui"))
    else:
        report.add(WARNING, "siteurl", message)


def check_settings(report: Report, settings: dict) -> None:
    value = str(settings.get("OWNMEDIA_UNREADABLE_CONTENT", "error")).lower()
    if value not in UNREADABLE_VALUES:
        report.add(ERROR, "settings", tr(
            f"OWNMEDIA_UNREADABLE_CONTENT = {value!r}: use 'error' or 'warn'",
            f"OWNMEDIA_UNREADABLE_CONTENT = {value!r} : mettez 'error' ou 'warn'"))


def diagnose(site_dir: str | Path = ".", settings_name: str = "pelicanconf.py") -> Report:
    """Every check on one site; the report lists the findings in the order checked."""
    from pelican.settings import read_settings

    site = Path(site_dir).resolve()
    settings_file = site / settings_name
    report = Report(str(site), str(settings_file))
    if not settings_file.is_file():
        report.add(ERROR, "settings", tr(f"no {settings_name} in {site}",
                                         f"pas de {settings_name} dans {site}"))
        return report
    try:
        settings = read_settings(str(settings_file))
    except Exception as exc:  # the site's own code: whatever it raises is its problem to fix
        report.add(ERROR, "settings", f"{settings_file}: {type(exc).__name__}: {exc}")
        return report
    plugins = check_plugins(report, settings)
    check_settings(report, settings)
    check_siteurl(report, site, settings, plugins)
    check_templates(report, settings, plugins)
    return report


MARKS = {ERROR: "✗", WARNING: "!", OK: "✓"}


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("site_dir", default=".", type=click.Path(file_okay=False))
@click.option("--settings", "settings_name", default="pelicanconf.py", show_default=True,
              help="Settings file in SITE_DIR / fichier de réglages dans SITE_DIR.")
@json_option("Print the findings as JSON / constats en JSON.")
def doctor(site_dir: str, settings_name: str, as_json: bool) -> None:
    """Check a Pelican site / diagnostic d'un site Pelican: ownmedia's plugins loaded as ours,
    the theme's snippets, an absolute SITEURL; exit 1 on errors."""
    report = diagnose(site_dir, settings_name)
    if as_json:
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        for finding in report.findings:
            click.echo(f"{MARKS[finding.level]} {finding.check}: {finding.message}")
        click.echo(tr(f"{report.errors} error(s), {report.warnings} warning(s)",
                      f"{report.errors} erreur(s), {report.warnings} avertissement(s)"))
    if report.errors:
        raise SystemExit(1)
