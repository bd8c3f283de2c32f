"""The [comments], [smtp] and [mentions] sections refuse values that make no sense."""

from __future__ import annotations

import pytest

from ownmedia.config import ConfigError, load_config


@pytest.mark.parametrize("section, key, value, fragment", [
    ("comments", "min_seconds", -1.0, "min_seconds"),
    ("comments", "rate_limit", 0, "rate_limit"),
    ("comments", "max_links", -2, "max_links"),
    ("comments", "max_body_chars", 0, "max_body_chars"),
    ("comments", "moderator_email", "nobody", "moderator_email"),
    ("smtp", "port", 0, "[smtp] port"),
    ("mentions", "max_redirects", 50, "max_redirects"),
    ("mentions", "timeout_seconds", 0.0, "timeout_seconds"),
])
def test_bad_values_named(tmp_path, section, key, value, fragment):
    path = tmp_path / "c.toml"
    rendered = f'"{value}"' if isinstance(value, str) else value
    path.write_text(f"[{section}]\n{key} = {rendered}\n")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert fragment in str(err.value) and str(path) in str(err.value)


def test_defaults_are_valid():
    config = load_config(None)
    assert config.comments.max_body_chars == 10_000 and config.mentions.max_redirects == 5
    assert config.mentions.max_bytes == 1_000_000 and not config.mentions.allow_private_addresses
