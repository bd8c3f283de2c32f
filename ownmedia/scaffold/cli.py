"""`ownmedia init`, `ownmedia new` and `ownmedia build`: start a site, add posts, build it."""

from __future__ import annotations

import os
from pathlib import Path

import click

from ownmedia.cli_i18n import tr
from ownmedia.scaffold.site import ScaffoldError, SiteAnswers

CONTEXT = {"help_option_names": ["-h", "--help"], "show_default": True}


def _languages(value: str) -> list[str]:
    return [lang.strip().lower() for lang in value.replace(" ", ",").split(",") if lang.strip()]


@click.command(context_settings=CONTEXT)
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--name", default=None, help="Site name / nom du site.")
@click.option("--url", default=None, help="Public URL / adresse publique, "
              "e.g. https://blog.example.org.")
@click.option("--lang", "languages", default=None,
              help="Languages, the main one first / langues, la principale d'abord: en or fr,en.")
@click.option("--author", default=None, help="Author / auteur.")
@click.option("--timezone", default=None, help="IANA time zone / fuseau horaire, "
              "e.g. Europe/Paris.")
@click.option("--yes", "-y", is_flag=True,
              help="Ask nothing: defaults for what is not given / ne rien demander.")
def init(directory: Path, name: str | None, url: str | None, languages: str | None,
         author: str | None, timezone: str | None, yes: bool) -> None:
    """Create a new site / créer un nouveau site: content, settings, Makefile.

    Writes DIRECTORY with one example post and page per language, pelicanconf.py and
    publishconf.py using ownmedia's plugins and theme from the installed package, an
    ownmedia.toml listing every setting, a Makefile and a .gitignore. Then:
    `cd DIRECTORY && make demo`.

    Écrit DIRECTORY avec un billet et une page d'exemple par langue, les réglages, un
    ownmedia.toml commenté, un Makefile et un .gitignore. Ensuite : `make demo`."""
    from ownmedia.scaffold.site import write_site

    default_name = directory.resolve().name.replace("-", " ").replace("_", " ").title()
    defaults = {"name": default_name, "url": "https://blog.example.org", "languages": "en",
                "author": os.environ.get("USER", "") or "Author", "timezone": "UTC"}
    given = {"name": name, "url": url, "languages": languages, "author": author,
             "timezone": timezone}
    questions = {"name": tr("Site name", "Nom du site"),
                 "url": tr("Public URL", "Adresse publique"),
                 "languages": tr("Languages (default first, e.g. fr,en)",
                                 "Langues (la principale d'abord, ex. fr,en)"),
                 "author": tr("Author", "Auteur"),
                 "timezone": tr("Time zone", "Fuseau horaire")}
    answers = {}
    for key, value in given.items():
        if value is None:
            value = defaults[key] if yes else click.prompt(questions[key], default=defaults[key])
        answers[key] = value
    site = SiteAnswers(name=answers["name"], url=answers["url"], author=answers["author"],
                       languages=_languages(answers["languages"]),
                       timezone=answers["timezone"])
    try:
        written = write_site(directory, site)
    except ScaffoldError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(tr(f"Site written to {directory} ({len(written)} files). Next:",
                  f"Site écrit dans {directory} ({len(written)} fichiers). Ensuite :"))
    click.echo(f"  cd {directory} && make demo")


@click.group(context_settings=CONTEXT)
def new() -> None:
    """Write a new post or page / écrire un nouveau billet ou une page."""


def _settings(settings_file: Path) -> dict:
    from pelican.settings import read_settings

    if not settings_file.is_file():
        raise click.UsageError(tr(f"no {settings_file} here: run this in a site's folder "
                                  "(made by `ownmedia init`) or give --settings",
                                  f"pas de {settings_file} ici : lancez la commande dans le "
                                  "dossier d'un site ou donnez --settings"))
    try:
        return read_settings(str(settings_file))
    except Exception as exc:  # the file is the user's Python: say where it failed
        raise click.ClickException(f"{settings_file}: {exc}") from None


def _new_command(kind: str, summary: str):
    @new.command(kind, help=summary)
    @click.argument("title")
    @click.option("--lang", default=None, show_default="the site's DEFAULT_LANG",
                  help="Language / langue.")
    @click.option("--slug", default=None, show_default="made from the title",
                  help="Slug / identifiant.")
    @click.option("--settings", "settings_file", default="pelicanconf.py",
                  type=click.Path(dir_okay=False, path_type=Path),
                  help="Pelican settings / réglages Pelican.")
    @click.option("--no-edit", is_flag=True,
                  help="Do not open $EDITOR / ne pas ouvrir $EDITOR.")
    def cmd(title: str, lang: str | None, slug: str | None, settings_file: Path,
            no_edit: bool) -> None:
        from ownmedia.scaffold.post import new_content

        settings = _settings(settings_file)
        try:
            path = new_content(settings, title, kind=kind, lang=lang, slug=slug)
        except ScaffoldError as exc:
            raise click.UsageError(str(exc)) from None
        click.echo(str(path))
        if os.environ.get("EDITOR") and not no_edit:
            click.edit(filename=str(path))

    return cmd


_new_command("post", "A new post / un nouveau billet: TITLE, date, slug, language, author, "
             "category filled in; a draft until its Status line is removed.")
_new_command("page", "A new page / une nouvelle page: TITLE, slug and language filled in.")


@click.command(context_settings=CONTEXT)
@click.option("--publish", is_flag=True,
              help="Build with publishconf.py (the public URL) / avec publishconf.py.")
@click.option("--settings", "settings_file", default=None,
              type=click.Path(dir_okay=False, path_type=Path),
              show_default="pelicanconf.py, publishconf.py with --publish",
              help="Pelican settings / réglages Pelican.")
@click.option("--output", default="output", type=click.Path(file_okay=False, path_type=Path),
              help="Where to write the site / où écrire le site.")
def build(publish: bool, settings_file: Path | None, output: Path) -> None:
    """Build the site / construire le site (only what changed when nothing else did).

    Pelican with the site's settings, incremental with ownmedia's plugin: a second build with
    no change does not even start Pelican."""
    from ownmedia.site import build_site

    settings_file = settings_file or Path("publishconf.py" if publish else "pelicanconf.py")
    _settings(settings_file)  # a missing or broken file: one line, not a traceback
    from pelican.log import init as init_logging

    init_logging(level=30)  # warnings and errors; Pelican prints its summary itself
    try:
        out = build_site(output, settings_file=settings_file)
    except Exception as exc:  # Pelican logged the cause; the exit status says it failed
        raise click.ClickException(tr(f"the build failed: {exc}",
                                      f"la construction a échoué : {exc}")) from None
    click.echo(tr(f"Site built in {out}", f"Site construit dans {out}"))
