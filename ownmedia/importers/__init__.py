"""Importers: bring an existing blog, with its conversation, into an ownmedia site."""
