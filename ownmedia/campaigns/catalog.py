"""Every campaign the site has: those declared in the configuration (read-only) and those
kept in the campaign store by `ownmedia campaigns add`."""

from __future__ import annotations

from ownmedia.campaigns.model import Campaign
from ownmedia.config import Config


def load_campaigns(config: Config) -> list[Campaign]:
    """Configuration campaigns first, then stored ones; a stored campaign whose name a
    configuration one took later is hidden by it. A data directory without a campaign file
    is not given one just for reading."""
    from ownmedia.storage import open_backend
    from ownmedia.storage.sqlite.campaigns import FILE_NAME

    declared = list(config.campaigns)
    stored: list[Campaign] = []
    if config.storage.url or (config.data_dir / FILE_NAME).exists():
        backend = open_backend(config)
        try:
            stored = backend.campaigns.list()
        finally:
            backend.close()
    names = {c.name for c in declared}
    return declared + [c for c in stored if c.name not in names]
