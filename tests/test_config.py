import pytest

from ownmedia.config import ConfigError, load_config


def test_defaults_are_embedded_sqlite_on_loopback():
    config = load_config(None)
    assert config.server.host == "127.0.0.1"
    assert config.server.port == 8000


def test_unknown_key_is_named(tmp_path):
    path = tmp_path / "ownmedia.toml"
    path.write_text('[server]\nhots = "0.0.0.0"\n')
    with pytest.raises(ConfigError, match="hots"):
        load_config(path)


def test_wrong_type_is_named(tmp_path):
    path = tmp_path / "ownmedia.toml"
    path.write_text('[server]\nport = "eighty"\n')
    with pytest.raises(ConfigError, match=r"\[server\] port: expected int"):
        load_config(path)


def test_overrides_win(tmp_path):
    path = tmp_path / "ownmedia.toml"
    path.write_text("[server]\nport = 9000\n")
    assert load_config(path, server={"port": 9100}).server.port == 9100
