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


def to_json(report: Report) -> str:
    return json.dumps(report.as_dict(), indent=2, ensure_ascii=False, sort_keys=False)


def write_csv(report: Report, directory: str | Path) -> list[Path]:
    """One CSV per table plus overview.csv; returns the files written."""
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
    for name in TABLES:
        rows = getattr(report, name)
        path = out / f"{name}.csv"
        with path.open("w", newline="", encoding="utf-8") as fh:
            if rows:
                fields = list(rows[0])
                w = csv.DictWriter(fh, fieldnames=fields)
                w.writeheader()
                for row in rows:
                    w.writerow({k: _cell(v) for k, v in row.items()})
        written.append(path)
    return written
