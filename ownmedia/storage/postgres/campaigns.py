"""Campaigns in PostgreSQL, for several instances sharing one database: the same table as
the SQLite store, its migration among the backend's (storage.postgres_migrations)."""

from __future__ import annotations

import psycopg

from ownmedia.campaigns.model import Campaign
from ownmedia.storage.campaign_port import CampaignExists, CampaignMissing
from ownmedia.storage.postgres.db import Migration, PgDatabase
from ownmedia.storage.sqlite.campaigns import COLUMNS, campaign_row, row_to_campaign

CAMPAIGN_MIGRATIONS: list[Migration] = [
    ("campaigns_0001", """
        CREATE TABLE campaigns (
            name TEXT PRIMARY KEY,
            metric TEXT NOT NULL,
            target BIGINT NOT NULL CHECK (target > 0),
            start_day DATE NOT NULL,
            end_day DATE NOT NULL,
            filters TEXT NOT NULL DEFAULT '[]',
            created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
            updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
            CHECK (end_day >= start_day)
        )
    """),
]


class PgCampaignStore:
    """The `CampaignStore` port on PostgreSQL, on the backend's pool."""

    def __init__(self, db: PgDatabase):
        self.db = db

    def list(self) -> list[Campaign]:
        return [row_to_campaign(tuple(r.values())) for r in self.db.query(
            f"SELECT {COLUMNS} FROM campaigns ORDER BY start_day, name")]

    def get(self, name: str) -> Campaign | None:
        rows = self.db.query(f"SELECT {COLUMNS} FROM campaigns WHERE name = %s", (name,))
        return row_to_campaign(tuple(rows[0].values())) if rows else None

    def add(self, campaign: Campaign) -> None:
        with self.db.transaction() as conn:
            try:
                conn.execute(f"INSERT INTO campaigns ({COLUMNS}) VALUES "
                             "(%s, %s, %s, %s, %s, %s)", campaign_row(campaign))
            except psycopg.errors.UniqueViolation:
                raise CampaignExists(campaign.name) from None

    def replace(self, name: str, campaign: Campaign) -> None:
        with self.db.transaction() as conn:
            try:
                cur = conn.execute(
                    "UPDATE campaigns SET name = %s, metric = %s, target = %s, start_day = %s,"
                    " end_day = %s, filters = %s, updated_at = now() WHERE name = %s",
                    (*campaign_row(campaign), name))
            except psycopg.errors.UniqueViolation:
                raise CampaignExists(campaign.name) from None
            if cur.rowcount == 0:
                raise CampaignMissing(name)

    def remove(self, name: str) -> None:
        with self.db.transaction() as conn:
            if conn.execute("DELETE FROM campaigns WHERE name = %s", (name,)).rowcount == 0:
                raise CampaignMissing(name)

    def close(self) -> None:
        """The pool belongs to the backend."""
