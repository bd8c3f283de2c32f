"""The [server] limits and privacy keys: defaults, and values that make no sense refused at
start with a message naming the key."""

from __future__ import annotations

import pytest

from ownmedia.config import ConfigError, load_config


def test_defaults_are_private_and_bounded():
    server = load_config(None).server
    assert server.access_log and not server.access_log_client_address
    assert server.header_timeout_seconds == 10 and server.keep_alive_seconds == 5
    assert server.max_connections == 1000 and server.content_security_policy == ""


@pytest.mark.parametrize("values, named", [
    ({"header_timeout_seconds": 0}, "header_timeout_seconds"),
    ({"keep_alive_seconds": -1}, "keep_alive_seconds"),
    ({"max_connections": 0}, "max_connections"),
    ({"content_security_policy": "default-src 'self'\r\nX-Evil: 1"}, "content_security_policy"),
    ({"access_log_client_address": "yes"}, "access_log_client_address"),
])
def test_nonsense_is_refused_naming_the_key(values, named):
    with pytest.raises(ConfigError, match=named):
        load_config(None, server=values)
