"""Campaigns in PostgreSQL (psycopg 3), for several instances sharing one database; the
same table and named migrations as the SQLite store."""

from __future__ import annotations

import psycopg

from ownmedia.campaigns.model import Campaign
from ownmedia.storage.campaign_port import CampaignExists, CampaignMissing
from ownmedia.storage.errors import StorageUnavailable
from ownmedia.storage.postgres import redact_url
from ownmedia.storage.sqlite.campaigns import COLUMNS, campaign_row, row_to_campaign

CAMPAIGN_MIGRATIONS = [
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


def migrate(conn: psycopg.Connection, migrations) -> list[str]:
    """Apply the named migrations not applied yet, each in its own transaction; an advisory
    lock keeps two instances starting together from applying one twice."""
    applied = []
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(hashtext('ownmedia_migrations'))")
        conn.execute("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, "
                     "applied_at TIMESTAMPTZ NOT NULL DEFAULT now())")
        done = {r[0] for r in conn.execute("SELECT name FROM schema_migrations")}
        for name, script in migrations:
            if name in done:
                continue
            conn.execute(script)
            conn.execute("INSERT INTO schema_migrations (name) VALUES (%s)", (name,))
            applied.append(name)
    return applied


class PostgresCampaignStore:
    """CampaignStore on a PostgreSQL database (one connection: campaigns change rarely)."""

    def __init__(self, url: str):
        try:
            self.conn = psycopg.connect(url, autocommit=True, connect_timeout=10)
            migrate(self.conn, CAMPAIGN_MIGRATIONS)
        except psycopg.OperationalError as exc:
            raise StorageUnavailable(f"{redact_url(url)}: {str(exc).strip()}") from None

    def list(self) -> list[Campaign]:
        return [row_to_campaign(r) for r in self.conn.execute(
            f"SELECT {COLUMNS} FROM campaigns ORDER BY start_day, name")]

    def get(self, name: str) -> Campaign | None:
        row = self.conn.execute(f"SELECT {COLUMNS} FROM campaigns WHERE name = %s",
                                (name,)).fetchone()
        return row_to_campaign(row) if row else None

    def add(self, campaign: Campaign) -> None:
        try:
            self.conn.execute(f"INSERT INTO campaigns ({COLUMNS}) VALUES "
                              "(%s, %s, %s, %s, %s, %s)", campaign_row(campaign))
        except psycopg.errors.UniqueViolation:
            raise CampaignExists(campaign.name) from None

    def replace(self, name: str, campaign: Campaign) -> None:
        try:
            cur = self.conn.execute(
                "UPDATE campaigns SET name = %s, metric = %s, target = %s, start_day = %s, "
                "end_day = %s, filters = %s, updated_at = now() WHERE name = %s",
                (*campaign_row(campaign), name))
        except psycopg.errors.UniqueViolation:
            raise CampaignExists(campaign.name) from None
        if cur.rowcount == 0:
            raise CampaignMissing(name)

    def remove(self, name: str) -> None:
        if self.conn.execute("DELETE FROM campaigns WHERE name = %s", (name,)).rowcount == 0:
            raise CampaignMissing(name)

    def close(self) -> None:
        self.conn.close()
