"""Campaigns in `campaigns.sqlite3` of the data directory: a file of their own, so that a
campaign edit never waits on the event writer."""

from __future__ import annotations

import json
import sqlite3
import threading
from datetime import date
from pathlib import Path

from ownmedia.campaigns.model import Campaign
from ownmedia.storage.campaign_port import CampaignExists, CampaignMissing
from ownmedia.storage.sqlite import connect, mapped, migrate

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
    """The `CampaignStore` port on campaigns.sqlite3 of a data directory."""

    def __init__(self, data_dir: str | Path):
        self.path = Path(data_dir) / FILE_NAME
        self.lock = threading.Lock()
        self.conn = connect(self.path)
        with mapped(str(self.path)):
            migrate(self.conn, CAMPAIGN_MIGRATIONS)

    def list(self) -> list[Campaign]:
        with self.lock, mapped(str(self.path)):
            return [row_to_campaign(tuple(r)) for r in self.conn.execute(
                f"SELECT {COLUMNS} FROM campaigns ORDER BY start_day, name")]

    def get(self, name: str) -> Campaign | None:
        with self.lock, mapped(str(self.path)):
            row = self.conn.execute(f"SELECT {COLUMNS} FROM campaigns WHERE name = ?",
                                    (name,)).fetchone()
        return row_to_campaign(tuple(row)) if row else None

    def add(self, campaign: Campaign) -> None:
        with self.lock, mapped(str(self.path)):
            try:
                self.conn.execute(f"INSERT INTO campaigns ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)",
                                  campaign_row(campaign))
            except sqlite3.IntegrityError:
                raise CampaignExists(campaign.name) from None

    def replace(self, name: str, campaign: Campaign) -> None:
        with self.lock, mapped(str(self.path)):
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
        with self.lock, mapped(str(self.path)):
            removed = self.conn.execute("DELETE FROM campaigns WHERE name = ?",
                                        (name,)).rowcount
        if removed == 0:
            raise CampaignMissing(name)

    def close(self) -> None:
        self.conn.close()
