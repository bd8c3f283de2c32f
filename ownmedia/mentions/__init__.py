"""Webmentions and pingbacks: receiving, verifying (with an SSRF guard) and sending."""
