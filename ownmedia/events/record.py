"""What a stored event and a stored visit hold, and how an accepted event becomes a row: the
visitor hash (daily salt), the visit it continues or starts, the visit's attributes copied on.

Shared by every event sink, so SQLite and PostgreSQL store the very same rows."""

from __future__ import annotations

import json

from ownmedia.events.channels import channel
from ownmedia.events.model import AcceptedEvent
from ownmedia.events.salts import visitor_id
from ownmedia.events.sessions import VISIT_FIELDS, Session, SessionTracker

EVENT_COLUMNS = (
    "ts", "domain", "name", "hostname", "pathname", "referrer", "referrer_source",
    "utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term",
    "visitor_id", "session_id", *VISIT_FIELDS, "v_entry_page",
    "browser", "browser_version", "os", "os_version", "device", "props",
    "revenue_amount", "revenue_currency", "interactive", "scroll_depth", "engagement_ms",
)
SESSION_COLUMNS = (
    "session_id", "domain", "visitor_id", "start", "end", "entry_page", "exit_page",
    "pageviews", "events", "interactive_events", "last_seen", *VISIT_FIELDS,
)
UTM = ("utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term")
NO_UTM = ("",) * len(UTM)


def visitor_ids(ev: AcceptedEvent, salts: list[bytes]) -> list[int]:
    """The event's visitor hash with today's salt, then with yesterday's (if kept)."""
    v = ev.valid
    return [visitor_id(s, ev.user_agent, ev.ip, v.domain, v.hostname) for s in salts]


def enrich(ev: AcceptedEvent, salts: list[bytes], sessions: SessionTracker
           ) -> tuple[tuple, Session] | None:
    """The row (EVENT_COLUMNS order) and its visit, started if need be; None for an engagement
    event with no visit to attach to (like Plausible, engagement never opens a visit). The
    caller stores the row, then calls `sessions.touch`."""
    v = ev.valid
    utm = tuple(v.utm.get(k, "") for k in UTM) if v.utm else NO_UTM
    ids = visitor_ids(ev, salts)
    visitor = ids[0]
    session = sessions.find(v.domain, visitor, ev.ts)
    if session is None and len(ids) > 1:  # a visit that started before midnight
        session = sessions.find(v.domain, ids[1], ev.ts)
        if session is not None:
            visitor = ids[1]
    if session is None:
        if v.name == "engagement":
            return None
        visit = (ev.source, ev.referrer, *utm, channel(ev.source, v.utm, v.paid_click), *ev.geo)
        session = sessions.start(
            v.domain, visitor, ev.ts, v.pathname if v.name == "pageview" else "", visit
        )
    c = ev.client
    values = (
        ev.ts, v.domain, v.name, v.hostname, v.pathname, ev.referrer, ev.source, *utm,
        visitor, session.session_id, *session.visit,
        session.entry_page or (v.pathname if v.name == "pageview" else ""),
        c.browser, c.browser_version, c.os, c.os_version, c.device,
        json.dumps(v.props, ensure_ascii=False, separators=(",", ":")) if v.props else "{}",
        v.revenue_amount, v.revenue_currency, int(v.interactive), v.scroll_depth,
        v.engagement_ms,
    )
    return values, session


def touch(sessions: SessionTracker, session: Session, ev: AcceptedEvent) -> None:
    """Count a stored event in its visit."""
    v = ev.valid
    sessions.touch(session, ev.ts, name=v.name, pathname=v.pathname, interactive=v.interactive)


def outbox_payload(ev: AcceptedEvent) -> str:
    """The body forwarded upstream (normalised as received)."""
    return json.dumps(ev.valid.payload(), ensure_ascii=False)
