"""Goals: which events and pages count as conversions, per site.

Events are stored whatever their name; a goal makes them visible as `event:goal`. The goals of
a site are ownmedia's standard events (what the tracker and the service send), the config's
`[analytics].goals`, and those stored in the events database's `goals` table by the idempotent
`PUT /api/v1/sites/goals` (or `ownmedia goals add`), and the site's own settings: each page of
`CTA_GOAL_PAGES` and each CTA's `goal` (its clicks: "CTA Click" events whose `cta` prop is the
CTA's id), so conversions count out of the box. A goal defined twice (settings and database,
under any name) is listed once, with the name it was first given."""

from __future__ import annotations

import logging
import sys
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ownmedia.config import Config
from ownmedia.storage.ports import GoalRecord, GoalStorage

log = logging.getLogger(__name__)
_SETTINGS_LOCK = threading.Lock()

VIDEO_PLAY = "Video Play"  # a click on a click-to-load video (plugins/video)
# The events ownmedia's tracker and service send: goals on every site without configuration.
STANDARD_EVENT_GOALS = (
    "CTA Click", "Share", "Print", "Comment", "Read Through", "Form: Submission",
    "Outbound Link: Click", "File Download", "404", VIDEO_PLAY,
)
# Metrics a campaign (or any report) may name that are standard goals under a plainer name:
# `--metric "video plays"` counts Video Play events. The one place this mapping lives.
METRIC_GOALS = {"video plays": VIDEO_PLAY}


class GoalError(ValueError):
    """A goal definition that cannot be stored; the message names the field."""


@dataclass(frozen=True)
class Goal:
    display_name: str
    goal_type: str  # "event" or "page"
    event_name: str = ""
    page_path: str = ""
    custom_props: tuple[tuple[str, str], ...] = ()  # the event must carry these props

    def as_json(self) -> dict:
        out = {"display_name": self.display_name, "goal_type": self.goal_type}
        if self.goal_type == "event":
            out["event_name"] = self.event_name
        else:
            out["page_path"] = self.page_path
        if self.custom_props:
            out["custom_props"] = dict(self.custom_props)
        return out

    def definition(self) -> tuple:
        return (self.goal_type, self.event_name, self.page_path, self.custom_props)


def make_goal(raw: dict) -> Goal:
    """Validate a goal given as Plausible's Sites API fields (or a config entry)."""
    event_name = raw.get("event_name") or ""
    page_path = raw.get("page_path") or ""
    goal_type = raw.get("goal_type") or ("event" if event_name else "page")
    if goal_type not in ("event", "page"):
        raise GoalError("goal_type must be 'event' or 'page'")
    if goal_type == "event" and (not isinstance(event_name, str) or not event_name.strip()):
        raise GoalError("an event goal needs a non-empty event_name")
    if goal_type == "page":
        if not isinstance(page_path, str) or not page_path.startswith("/"):
            raise GoalError("a page goal needs a page_path starting with '/'")
        event_name = ""
    else:
        page_path = ""
    if len(event_name) > 120 or len(page_path) > 2000:
        raise GoalError("event_name is at most 120 characters, page_path at most 2000")
    display = raw.get("display_name") or (event_name if goal_type == "event"
                                          else f"Visit {page_path}")
    if not isinstance(display, str) or len(display) > 120:
        raise GoalError("display_name must be a text of at most 120 characters")
    return Goal(display, goal_type, event_name, page_path)


def _storage(stored: Any) -> GoalStorage:
    """The goal port; an SQLite connection to events.sqlite3 is taken as the SQLite one."""
    if hasattr(stored, "put") and hasattr(stored, "goals"):
        return stored
    from ownmedia.storage.sqlite.goals import SqliteGoalStorage

    return SqliteGoalStorage(conn=stored)


def site_goals(stored: Any, domain: str, config: Config | None) -> list[Goal]:
    """Standard goals, the config's, the stored ones, then the site settings' (CTA goals and
    goal pages); a display name, and a definition, appear once."""
    goals = [Goal(name, "event", name) for name in STANDARD_EVENT_GOALS]
    if config is not None:
        for raw in config.analytics.goals:
            if raw.get("domain") in (None, "", domain):
                goals.append(make_goal(raw))
    if stored is not None:
        goals += [Goal(r.display_name, r.goal_type, r.event_name, r.page_path)
                  for r in _storage(stored).goals(domain)]
    if config is not None:
        goals += settings_goals(config.comments.pelican_settings)
    names: set[str] = set()
    definitions: set[tuple] = set()
    out = []
    for goal in goals:
        if goal.display_name in names or goal.definition() in definitions:
            continue
        names.add(goal.display_name)
        definitions.add(goal.definition())
        out.append(goal)
    return out


def settings_goals(settings_file: str) -> list[Goal]:
    """The goals the site's Pelican settings declare (re-read when the file changes)."""
    path = Path(settings_file)
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        return []
    with _SETTINGS_LOCK:  # one reader at a time: reading imports the file as a module
        return list(_settings_goals(str(path.resolve()), stamp))


@lru_cache(maxsize=4)
def _settings_goals(path: str, _stamp: int) -> tuple[Goal, ...]:
    from ownmedia.cta_cli import _cta_modules
    from ownmedia.site import pelican_settings

    name = Path(path).stem  # Pelican imports the file as this module: leave sys.modules as found
    before = sys.modules.get(name)
    try:
        try:
            settings = pelican_settings(path)
        finally:
            if before is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = before
        registry_mod, _ = _cta_modules(settings)
        ctas = registry_mod.parse_registry(settings.get("CTAS"))
        pages = registry_mod.parse_goal_pages(settings.get("CTA_GOAL_PAGES"))
    except Exception as exc:  # a broken settings file must not break the Stats API
        log.warning("goals from %s unavailable: %s", path, exc)
        return ()
    goals = [Goal(name, "page", page_path=page) for page, name in pages.items()]
    goals += [Goal(cta.goal, "event", "CTA Click", custom_props=(("cta", cta.id),))
              for cta in ctas.values() if cta.goal]
    return tuple(goals)


def put_goal(stored: Any, domain: str, goal: Goal) -> tuple[Goal, bool]:
    """Create the goal unless the same one exists (idempotent); returns (goal, created)."""
    record, created = _storage(stored).put(GoalRecord(
        domain, goal.goal_type, goal.event_name or "", goal.page_path or "", goal.display_name))
    if not created:
        return Goal(record.display_name, record.goal_type, record.event_name,
                    record.page_path), False
    return goal, True


def delete_goal(stored: Any, domain: str, display_name: str) -> bool:
    """Remove a stored goal by display name; standard and config goals stay."""
    return _storage(stored).delete(domain, display_name)
