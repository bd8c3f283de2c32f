"""Stats API routes: Plausible's `POST /api/v2/query` and the Sites API goals endpoints.

Every request needs `Authorization: Bearer <key>` (a key made by `ownmedia keys create`), so
the same review command works against this service and against a Plausible instance."""

from __future__ import annotations

import json
import secrets
import threading

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from ownmedia.stats.goals import GoalError, make_goal
from ownmedia.stats.keys import KeyInfo, KeyStore
from ownmedia.stats.query import QueryError
from ownmedia.stats.store import StatsStore

INTERNAL_KEY = "stats.internal_key"  # ctx.state name of the in-process key (embedded review)
MAX_BODY = 64_000


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def routes(ctx) -> list[BaseRoute]:
    """The Stats API endpoints, sharing one StatsStore and one KeyStore."""
    store = StatsStore(ctx.data_dir, ctx.config)
    ctx.state["stats"] = store
    keys: dict[str, KeyStore] = {}

    def key_store() -> KeyStore:
        if "k" not in keys:
            keys["k"] = KeyStore(ctx.config)
        return keys["k"]

    def authorised(request: Request) -> tuple[JSONResponse | None, KeyInfo | None]:
        """(error, key): key is None for the in-process key, which reads every site."""
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return _error(401, "Missing API key: send 'Authorization: Bearer <key>' "
                               "(make one with `ownmedia keys create`)"), None
        token = token.strip()
        internal = ctx.state.get(INTERNAL_KEY)
        if internal and secrets.compare_digest(token.encode(), internal.encode()):
            return None, None
        info = key_store().lookup(token)
        if info is None:
            return _error(401, "Invalid API key or site ID"), None
        return None, info

    def check_site(site_id: object, key: KeyInfo | None) -> JSONResponse | None:
        """The same answer for a site that does not exist and one the key may not read, and
        neither lists the server's sites: a key for one site learns nothing of the others."""
        if not isinstance(site_id, str) or not site_id:
            return _error(400, "site_id is required (the site's domain)")
        if site_id not in ctx.config.analytics.domains or (key and not key.may_read(site_id)):
            return _error(400, f"site_id {site_id[:100]!r} is not a site this key can read")
        return None

    async def read_json(request: Request) -> object:
        raw = await request.body()
        if len(raw) > MAX_BODY:
            raise QueryError(f"request body larger than {MAX_BODY} bytes")
        try:
            return json.loads(raw)
        except RecursionError:
            raise QueryError("the request body is nested too deeply") from None
        except (ValueError, UnicodeDecodeError):
            raise QueryError("the request body is not valid JSON") from None

    async def query(request: Request) -> JSONResponse:
        denied, key = authorised(request)
        if denied:
            return denied
        try:
            body = await read_json(request)
            bad_site = check_site(body.get("site_id") if isinstance(body, dict) else None, key)
            if bad_site:
                return bad_site
            answer = await run_in_threadpool(store.query, body)
        except QueryError as exc:
            return _error(400, str(exc))
        return JSONResponse(answer)

    async def list_goals(request: Request) -> JSONResponse:
        denied, key = authorised(request)
        if denied:
            return denied
        site_id = request.query_params.get("site_id", "")
        bad_site = check_site(site_id, key)
        if bad_site:
            return bad_site
        goals = await run_in_threadpool(store.goals, site_id)
        return JSONResponse({"goals": [g.as_json() for g in goals],
                             "meta": {"after": None, "before": None, "limit": len(goals)}})

    async def put_goal(request: Request) -> JSONResponse:
        denied, key = authorised(request)
        if denied:
            return denied
        try:
            body = await read_json(request)
        except QueryError as exc:
            return _error(400, str(exc))
        if not isinstance(body, dict):
            return _error(400, "the request body must be a JSON object")
        bad_site = check_site(body.get("site_id"), key)
        if bad_site:
            return bad_site
        unknown = sorted(set(body) - {"site_id", "goal_type", "event_name", "page_path",
                                      "display_name"})
        if unknown:
            return _error(400, f"unknown key(s): {', '.join(unknown)}")
        try:
            goal = make_goal(body)
        except GoalError as exc:
            return _error(400, str(exc))
        stored, _created = await run_in_threadpool(store.put_goal, body["site_id"], goal)
        return JSONResponse({"domain": body["site_id"], **stored.as_json()})

    async def close() -> None:
        store.close()
        if "k" in keys:
            keys["k"].close()

    async def warm() -> None:
        threading.Thread(target=store.warm, name="stats-rollups", daemon=True).start()

    ctx.startup.append(warm)
    ctx.shutdown.append(close)
    return [
        Route("/api/v2/query", query, methods=["POST"]),
        Route("/api/v1/sites/goals", list_goals, methods=["GET"]),
        Route("/api/v1/sites/goals", put_goal, methods=["PUT"]),
    ]
