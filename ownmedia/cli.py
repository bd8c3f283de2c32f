"""The `ownmedia` command. Subcommands live next to the code they drive and load lazily,
so `ownmedia --help` stays fast and one concern's import error cannot break the others."""

from __future__ import annotations

import importlib

import click

from ownmedia.cli_options import HELP_TEXT, bilingual_help_option

# name -> "module:attribute" of a click command or group
SUBCOMMANDS: dict[str, str] = {
    "serve": "ownmedia.service.cli:serve",
    "ctas": "ownmedia.cta_cli:ctas",
    "comments": "ownmedia.comments.cli:comments",
    "mentions": "ownmedia.mentions.cli:mentions",
    "keys": "ownmedia.stats.cli:keys",
    "goals": "ownmedia.stats.cli:goals",
    "review": "ownmedia.review.cli:review",
    "import": "ownmedia.importers.cli:import_group",
    "storage": "ownmedia.storage.cli:storage",
    "init": "ownmedia.scaffold.cli:init",
    "new": "ownmedia.scaffold.cli:new",
    "build": "ownmedia.scaffold.cli:build",
    "campaigns": "ownmedia.campaigns.cli:campaigns",
    "doctor": "ownmedia.doctor:doctor",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(SUBCOMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = SUBCOMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name and module_name.startswith(exc.name):
                return _unavailable(cmd_name)
            raise
        command = getattr(module, attr)
        bilingual_help_option(command)
        return command


def _unavailable(name: str) -> click.Command:
    @click.command(name=name, help="Not available in this version / indisponible dans cette "
                   "version.")
    def _cmd() -> None:
        raise click.ClickException(f"'{name}' is not available in this version of ownmedia")

    bilingual_help_option(_cmd)
    return _cmd


# show_default: every command's defaults are written by click, one way ("[default: ...]")
@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"],
                                              "show_default": True})
@click.version_option(package_name="ownmedia", help="Show the version / afficher la version.")
@click.help_option("-h", "--help", help=HELP_TEXT)
def main() -> None:
    """Build, serve and measure a blog you own / construire, servir et mesurer son blog.

    `ownmedia init DIR` starts a site; `ownmedia COMMAND --help` tells more about each.
    `ownmedia init DOSSIER` crée un site ; `ownmedia COMMANDE --help` en dit plus."""


if __name__ == "__main__":  # pragma: no cover
    main()
