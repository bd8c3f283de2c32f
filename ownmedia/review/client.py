"""The one Stats API client of the review: Plausible's `POST /api/v2/query` over HTTP.

The same code talks to a real Plausible instance, to `ownmedia serve`, or to the engagement
service started in-process (httpx's ASGITransport against create_app) for `--data DIR`: only
the transport differs, never the requests."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import httpx

from ownmedia.config import Config

EMBEDDED_URL = "http://ownmedia.embedded"


class StatsError(Exception):
    """Something the person running the review can act on (message in English and French)."""


@dataclass
class StatsClient:
    """Sends Stats API queries; turns HTTP failures into StatsError with a clear message."""

    url: str
    key: str
    transport: httpx.AsyncBaseTransport | None = None
    timeout: float = 60.0

    def __post_init__(self) -> None:
        self.url = self.url.rstrip("/")
        self._http = httpx.AsyncClient(
            base_url=self.url, transport=self.transport, timeout=self.timeout,
            headers={"Authorization": f"Bearer {self.key}", "User-Agent": "ownmedia-review"})

    async def __aenter__(self) -> StatsClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        await self._http.aclose()

    def _where(self) -> str:
        return "the embedded Stats API" if self.url == EMBEDDED_URL else self.url

    async def _send(self, method: str, path: str, **kw) -> httpx.Response:
        try:
            return await self._http.request(method, path, **kw)
        except httpx.TimeoutException:
            raise StatsError(f"{self._where()} did not answer within {self.timeout:.0f} s / "
                             "pas de réponse du serveur") from None
        except httpx.TransportError as exc:
            raise StatsError(f"cannot reach {self._where()}: {exc or type(exc).__name__} / "
                             "serveur injoignable (check --url)") from None

    async def query(self, body: dict) -> dict:
        """One query; StatsError on 401/403 (key), 400 (query) and any other failure."""
        r = await self._send("POST", "/api/v2/query", json=body)
        if r.status_code in (401, 403):
            raise StatsError(f"{self._where()} refused the API key ({r.status_code}: "
                             f"{_message(r)}) / clé d'API refusée: check --key, or make one with "
                             "`ownmedia keys create`")
        if r.status_code == 400:
            raise StatsError(f"{self._where()} refused a query: {_message(r)} / requête refusée")
        if r.status_code != 200:
            raise StatsError(f"{self._where()} answered {r.status_code}: {_message(r)}")
        try:
            return r.json()
        except ValueError:
            raise StatsError(f"{self._where()} answered something that is not JSON") from None

    async def query_all(self, body: dict, page: int = 10_000) -> list[dict]:
        """Every row of a query, following pagination."""
        rows: list[dict] = []
        offset = 0
        while True:
            answer = await self.query({**body, "pagination": {"limit": page, "offset": offset}})
            got = answer.get("results", [])
            rows += got
            if len(got) < page:
                return rows
            offset += page

    async def goals(self, site_id: str) -> list[dict] | None:
        """The site's goals (Sites API), or None when this key or server cannot list them."""
        try:
            r = await self._send("GET", "/api/v1/sites/goals", params={"site_id": site_id})
        except StatsError:
            return None
        if r.status_code != 200:
            return None
        try:
            return list(r.json().get("goals", []))
        except (ValueError, AttributeError):
            return None


def _message(r: httpx.Response) -> str:
    try:
        data = r.json()
        if isinstance(data, dict) and "error" in data:
            return str(data["error"])
    except ValueError:
        pass
    return r.text[:200] or r.reason_phrase


def embedded_client(config: Config) -> StatsClient:
    """A client of the engagement service built in-process over `config` (its data dir), with
    a one-time key that exists only in this process's memory."""
    from ownmedia.service.app import create_app
    from ownmedia.stats.api import INTERNAL_KEY
    from ownmedia.storage.event_backend import open_stats_backend

    backend = open_stats_backend(config)
    try:
        found = backend.exists()
    finally:
        backend.close()
    if not found:
        raise StatsError(f"no event store in {config.data_dir} (expected events.sqlite3) / "
                         "aucune donnée: check --data")
    app = create_app(config)
    key = secrets.token_urlsafe(32)
    app.state.ctx.state[INTERNAL_KEY] = key
    return StatsClient(EMBEDDED_URL, key, transport=httpx.ASGITransport(app=app))
