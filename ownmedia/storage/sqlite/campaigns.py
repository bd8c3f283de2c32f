"""Campaigns in `campaigns.sqlite3` of the data directory: a file of their own, so that a
campaign edit never waits on the event writer."""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from pathlib import Path

from ownmedia.campaigns.model import Campaign
from ownmedia.storage.campaign_port import CampaignExists, CampaignMissing
from ownmedia.storage.errors import StorageUnavailable
from ownmedia.storage.sqlite import connect, migrate

FILE_NAME = "campaigns.sqlite3"
CAMPAIGN_MIGRATIONS = [
    ("0001_campaigns", """
        CREATE TABLE campaigns (
            name TEXT PRIMARY KEY,
            metric TEXT NOT NULL,
            target INTEGER NOT NULL CHECK (target > 0),
            start_day TEXT NOT NULL,
            end_day TEXT NOT NULL,
            filters TEXT NOT NULL DEFAULT '[]',
            created_at TEXT NOT NULL DEFAULT (datetime('now')),
            updated_at TEXT NOT NULL DEFAULT (datetime('now')),
            CHECK (end_day >= start_day)
        );
    """),
]
COLUMNS = "name, metric, target, start_day, end_day, filters"


def row_to_campaign(row) -> Campaign:
    name, metric, target, start, end, filters = row
    return Campaign(name, metric, int(target), date.fromisoformat(str(start)[:10]),
                    date.fromisoformat(str(end)[:10]), tuple(json.loads(filters)))


def campaign_row(c: Campaign) -> tuple:
    return (c.name, c.metric, c.target, c.start.isoformat(), c.end.isoformat(),
            json.dumps(list(c.filters)))


class SqliteCampaignStore:
    """CampaignStore on one SQLite file."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        try:
            self.conn = connect(self.path)
            migrate(self.conn, CAMPAIGN_MIGRATIONS)
        except sqlite3.Error as exc:
            raise StorageUnavailable(f"{self.path}: {exc}") from None

    def list(self) -> list[Campaign]:
        return [row_to_campaign(tuple(r)) for r in self.conn.execute(
            f"SELECT {COLUMNS} FROM campaigns ORDER BY start_day, name")]

    def get(self, name: str) -> Campaign | None:
        row = self.conn.execute(f"SELECT {COLUMNS} FROM campaigns WHERE name = ?",
                                (name,)).fetchone()
        return row_to_campaign(tuple(row)) if row else None

    def add(self, campaign: Campaign) -> None:
        try:
            self.conn.execute(f"INSERT INTO campaigns ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)",
                              campaign_row(campaign))
        except sqlite3.IntegrityError:
            raise CampaignExists(campaign.name) from None

    def replace(self, name: str, campaign: Campaign) -> None:
        try:
            cur = self.conn.execute(
                "UPDATE campaigns SET name = ?, metric = ?, target = ?, start_day = ?, "
                "end_day = ?, filters = ?, updated_at = datetime('now') WHERE name = ?",
                (*campaign_row(campaign), name))
        except sqlite3.IntegrityError:
            raise CampaignExists(campaign.name) from None
        if cur.rowcount == 0:
            raise CampaignMissing(name)

    def remove(self, name: str) -> None:
        if self.conn.execute("DELETE FROM campaigns WHERE name = ?", (name,)).rowcount == 0:
            raise CampaignMissing(name)

    def close(self) -> None:
        self.conn.close()
