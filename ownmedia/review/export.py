"""The review as JSON (one document) and CSV (one file per table), for spreadsheets and scripts."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from ownmedia.review.model import Report

TABLES = ("posts", "ctas", "cta_posts", "channels", "sources", "campaigns", "print_returns",
          "weekly", "goals", "advice")


def _cell(value: object) -> object:
    """A list as space-separated words, a table (advice numbers) as JSON."""
    if isinstance(value, list):
        return " ".join(map(str, value))
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return value


SCALARS = (str, int, float, bool, type(None))


def flat(row: dict) -> dict:
    """A row of a nested section as CSV columns: a dict of plain values becomes one column per
    key (`progress_25`), a list of plain values one cell of words; deeper data (a campaign's
    chart paths) stays in the JSON only."""
    out: dict = {}
    for key, value in row.items():
        if isinstance(value, dict):
            if all(isinstance(v, SCALARS) for v in value.values()):
                out.update({f"{key}_{k}": v for k, v in value.items()})
        elif isinstance(value, list):
            if all(isinstance(v, SCALARS) for v in value):
                out[key] = value
        else:
            out[key] = value
    return out


def funnel_rows(funnels: dict) -> list[dict]:
    """One row per step of each funnel: the site's, each post's, the configuration's."""
    rows = []
    wholes = [("site", "", "", funnels.get("site"))] if funnels.get("site") else []
    wholes += [("post", f["post"], f.get("title", ""), f) for f in funnels.get("posts", [])]
    wholes += [("custom", "", "", f) for f in funnels.get("custom", [])]
    for scope, post, title, funnel in wholes:
        for number, step in enumerate(funnel["steps"], 1):
            rows.append({"funnel": funnel["name"], "scope": scope, "post": post,
                         "title": title, "step_number": number, **step})
    return rows


def nested_tables(report: Report) -> dict[str, list[dict]]:
    """The sections that are not flat lists in the report, as tables."""
    video = report.video or {}
    return {
        "videos": [flat(v) for v in video.get("videos", [])],
        "video_posts": [flat(v) for v in video.get("posts", [])],
        "funnels": funnel_rows(report.funnels or {}),
        "campaign_targets": [flat(c) for c in
                             (report.campaign_targets or {}).get("campaigns", [])],
    }


def to_json(report: Report) -> str:
    return json.dumps(report.as_dict(), indent=2, ensure_ascii=False, sort_keys=False)


def write_csv(report: Report, directory: str | Path) -> list[Path]:
    """One CSV per table plus overview.csv (videos, video posts, funnel steps and campaign
    targets too); returns the files written."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    path = out / "overview.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["metric", "value", "previous", "change_percent"])
        for name, m in report.overview.items():
            w.writerow([name, m["value"], m["previous"], m["change"]])
        lg = report.longevity
        w.writerow(["longevity_share_old_percent", lg.get("share_old"), "", ""])
        for k, v in report.cost.items():
            if k != "baseline":
                w.writerow([f"cost_{k}", v, "", ""])
    written.append(path)
    tables = {name: getattr(report, name) for name in TABLES} | nested_tables(report)
    for name, rows in tables.items():
        path = out / f"{name}.csv"
        with path.open("w", newline="", encoding="utf-8") as fh:
            if rows:
                fields = list(dict.fromkeys(k for row in rows for k in row))  # every row's
                w = csv.DictWriter(fh, fieldnames=fields)
                w.writeheader()
                for row in rows:
                    w.writerow({k: _cell(v) for k, v in row.items()})
        written.append(path)
    return written
