"""The campaign store's interface: what the CLI and the review need, whichever database
keeps the campaigns (a SQLite file in the data directory, or PostgreSQL). Opened through the
Backend like every store: `open_backend(config).campaigns`."""

from __future__ import annotations

from typing import Protocol

from ownmedia.campaigns.model import Campaign
from ownmedia.storage.errors import StorageError


class CampaignExists(StorageError):
    """A campaign of that name is already stored."""


class CampaignMissing(StorageError):
    """No campaign of that name is stored."""


class CampaignStore(Protocol):
    def list(self) -> list[Campaign]:
        """Every stored campaign, by start day then name."""

    def get(self, name: str) -> Campaign | None:
        """The campaign of that name, or None."""

    def add(self, campaign: Campaign) -> None:
        """Store a new campaign; CampaignExists when the name is taken."""

    def replace(self, name: str, campaign: Campaign) -> None:
        """Put `campaign` in place of the one named `name` (it may be renamed);
        CampaignMissing when there is none, CampaignExists when the new name is taken."""

    def remove(self, name: str) -> None:
        """Delete it; CampaignMissing when there is none."""

    def close(self) -> None:
        """Release the connection."""
