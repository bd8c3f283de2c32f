"""The `ownmedia` command. Subcommands live next to the code they drive and load lazily,
so `ownmedia --help` stays fast and one concern's import error cannot break the others."""

from __future__ import annotations

import importlib

import click

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
        return getattr(module, attr)


def _unavailable(name: str) -> click.Command:
    @click.command(name=name, help="(not available in this version)")
    def _cmd() -> None:
        raise click.ClickException(f"'{name}' is not available in this version of ownmedia")

    return _cmd


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="ownmedia")
def main() -> None:
    """ownmedia: build, serve and measure a blog you own."""


if __name__ == "__main__":  # pragma: no cover
    main()
