"""The campaign store's contract, on SQLite and on a real PostgreSQL server, opened through
the Backend like every store."""

from __future__ import annotations

from contextlib import contextmanager

import pytest

from ownmedia.campaigns.model import make_campaign
from ownmedia.config import load_config
from ownmedia.storage import open_backend
from ownmedia.storage.campaign_port import CampaignExists, CampaignMissing

SPRING = make_campaign("printemps", "pageviews", 2_000_000, "2026-03-02", "2026-04-26",
                       ["utm_medium=print", "page~/2026/"])
WINTER = make_campaign("hiver", "Video Play", 500, "2026-01-05", "2026-02-01")


@pytest.fixture(params=["sqlite", "postgres"])
def config(request, tmp_path):
    storage = {}
    if request.param == "postgres":
        storage = {"url": request.getfixturevalue("postgres_url")}
    return load_config(None, server={"data": str(tmp_path / "data")}, storage=storage)


@contextmanager
def campaign_store(config):
    """The campaign store of a fresh Backend (what the CLI opens), closed with it."""
    backend = open_backend(config)
    try:
        yield backend.campaigns
    finally:
        backend.close()


def test_add_get_list_in_start_order(config):
    with campaign_store(config) as store:
        assert store.list() == []
        store.add(SPRING)
        store.add(WINTER)
        assert store.get("printemps") == SPRING
        assert store.get("nope") is None
        assert [c.name for c in store.list()] == ["hiver", "printemps"]
        with pytest.raises(CampaignExists):
            store.add(SPRING)
    with campaign_store(config) as again:  # kept, and the migration is not applied twice
        assert again.list() == [WINTER, SPRING]


def test_replace_renames_and_refuses_a_taken_name(config):
    with campaign_store(config) as store:
        store.add(SPRING)
        store.add(WINTER)
        bigger = make_campaign("printemps-2", "pageviews", 3_000_000, "2026-03-02",
                               "2026-05-03")
        store.replace("printemps", bigger)
        assert store.get("printemps") is None
        assert store.get("printemps-2") == bigger
        with pytest.raises(CampaignExists):
            store.replace("hiver", bigger)
        with pytest.raises(CampaignMissing):
            store.replace("printemps", SPRING)
        assert store.get("hiver") == WINTER


def test_remove(config):
    with campaign_store(config) as store:
        store.add(SPRING)
        store.remove("printemps")
        assert store.list() == []
        with pytest.raises(CampaignMissing):
            store.remove("printemps")


def test_sqlite_keeps_campaigns_in_their_own_file(tmp_path):
    config = load_config(None, server={"data": str(tmp_path / "data")})
    with campaign_store(config):
        pass
    assert (tmp_path / "data" / "campaigns.sqlite3").is_file()
