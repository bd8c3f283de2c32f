"""`python -m ownmedia`: the `ownmedia` command, for a Makefile that names its interpreter."""

from ownmedia.cli import main

main(prog_name="ownmedia")
