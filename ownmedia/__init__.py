"""ownmedia: publish on a channel you own, talk with readers, measure what it does."""

__version__ = "0.1.0"
