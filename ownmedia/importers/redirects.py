"""Redirects from a previous site's URLs to the new ones, in three forms that say the same:

- `redirects.json`, copied into the built site and served by `ownmedia serve` (RedirectsApp);
- `redirects.nginx.conf`: a `map` for nginx's http block, used by one `if` in the server block;
- `redirects.caddy`: a Caddy snippet, `import ownmedia_redirects` in the site block.

A source is a path, optionally with a query (`/?p=123`); the JSON keeps it decoded, the way
the server sees it, and the nginx/Caddy rules keep it as the old site wrote it."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from ownmedia.fsutil import atomic_write_text

JSON_FILE = "redirects.json"
NGINX_FILE = "redirects.nginx.conf"
CADDY_FILE = "redirects.caddy"


def normalise_source(url: str) -> str | None:
    """The part of an old URL a server matches: path and query, path decoded, no fragment.
    None for a URL that has no path worth redirecting (the site's root)."""
    parts = urlsplit(url)
    path = re.sub(r"/{2,}", "/", unquote(parts.path)) or "/"
    if path == "/" and not parts.query:
        return None
    return path + (f"?{parts.query}" if parts.query else "")


def lookup(redirects: Mapping[str, str], path: str, query: str = "") -> str | None:
    """Where a request goes: exact match with the query, then the path with or without its
    trailing slash (WordPress answered both)."""
    if query:
        # WordPress's ?p=123 may come with other parameters (utm_*): match on the first known
        for key, value in parse_qsl(query, keep_blank_values=True):
            target = redirects.get(f"{path}?{key}={value}")
            if target:
                return target
    for candidate in (path, path.rstrip("/") if path != "/" else path, path + "/"):
        target = redirects.get(candidate)
        if target:
            return target
    return None


def read_redirects(path: str | Path) -> dict[str, str]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return {str(k): str(v) for k, v in data.get("redirects", {}).items()}


def write_redirects(directory: str | Path, redirects: Mapping[str, str],
                    merge: bool = True) -> list[Path]:
    """Write the three files (merging with an existing redirects.json, so that a second
    import adds rather than replaces). Returns the files written."""
    directory = Path(directory)
    json_path = directory / JSON_FILE
    merged: dict[str, str] = {}
    if merge and json_path.exists():
        merged.update(read_redirects(json_path))
    merged.update(redirects)
    merged = dict(sorted(merged.items()))
    body = json.dumps({"version": 1, "redirects": merged}, indent=1, ensure_ascii=False)
    return [
        atomic_write_text(json_path, body + "\n"),
        atomic_write_text(directory / NGINX_FILE, nginx_rules(merged)),
        atomic_write_text(directory / CADDY_FILE, caddy_rules(merged)),
    ]


def _raw(source: str) -> str:
    path, sep, query = source.partition("?")
    return quote(path, safe="/%:@!$&'()*+,;=~-._") + sep + query


def _nginx_quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def nginx_rules(redirects: Mapping[str, str]) -> str:
    lines = [
        "# Redirects from the previous site (written by `ownmedia import`).",
        "# In the http block: include this file. In the server block:",
        "#     if ($ownmedia_redirect) { return 301 $ownmedia_redirect; }",
        "map $request_uri $ownmedia_redirect {",
        "    default \"\";",
    ]
    for source, target in redirects.items():
        lines.append(f"    {_nginx_quote(_raw(source))} {_nginx_quote(target)};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def caddy_rules(redirects: Mapping[str, str]) -> str:
    lines = [
        "# Redirects from the previous site (written by `ownmedia import`).",
        "# Import this file at the top of the Caddyfile, then in the site block:",
        "#     import ownmedia_redirects",
        "(ownmedia_redirects) {",
    ]
    for number, (source, target) in enumerate(redirects.items(), start=1):
        path, _, query = source.partition("?")
        name = f"@ownmedia_redirect_{number}"
        if query:
            lines.append(f"    {name} {{")
            lines.append(f"        path {_raw(path)}")
            for key, value in parse_qsl(query, keep_blank_values=True):
                lines.append(f"        query {key}={value}")
            lines.append("    }")
        else:
            lines.append(f"    {name} path {_raw(path)}")
        lines.append(f"    redir {name} {target} 301")
    lines.append("}")
    return "\n".join(lines) + "\n"
