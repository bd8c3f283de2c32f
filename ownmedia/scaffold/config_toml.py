"""An `ownmedia.toml` with every setting written out, commented, at its default: made from
ownmedia.config's dataclasses and the comments beside their fields, so a new setting appears
in every new site's file without anyone remembering to add it."""

from __future__ import annotations

import dataclasses
import inspect
import io
import json
import tokenize
import typing
from collections.abc import Mapping

from ownmedia import config as config_module


def field_comments(cls: type) -> dict[str, str]:
    """{field name: the comment at the end of its line} from the dataclass's source."""
    comments: dict[str, str] = {}
    source = inspect.getsource(cls)
    names = {f.name for f in dataclasses.fields(cls)}
    line_field: dict[int, str] = {}
    for number, line in enumerate(source.splitlines(), 1):
        name = line.strip().split(":", 1)[0]
        if name in names and line.startswith("    ") and not line.startswith("     "):
            line_field[number] = name
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT and token.start[0] in line_field:
            comments[line_field[token.start[0]]] = token.string.lstrip("#").strip()
    return comments


def toml_value(value: object) -> str:
    """A default as TOML: strings, numbers, booleans and lists of them (JSON's spelling is
    TOML's for these); a list of tables is written empty, as its defaults are."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    raise TypeError(f"no TOML spelling for {value!r}")


def _default(f: dataclasses.Field) -> object:
    if f.default is not dataclasses.MISSING:
        return f.default
    return f.default_factory()  # type: ignore[misc]


def commented_config(values: Mapping[str, Mapping[str, object]] | None = None) -> str:
    """The whole file: `values` ({section: {key: value}}) are set, every other key is a
    commented line with its default, each with the comment ownmedia/config.py gives it."""
    values = values or {}
    hints = typing.get_type_hints(config_module.Config)
    out = ["# ownmedia.toml: the engagement service's settings (`ownmedia serve --config`).",
           "# Every key is listed at its default; remove the '#' to change one.",
           "# Secrets are not here: they are generated into the data directory.", ""]
    for section in dataclasses.fields(config_module.Config):
        if section.name == "source":
            continue
        cls = hints[section.name]
        if not dataclasses.is_dataclass(cls):  # an array of tables, e.g. [[campaigns]]
            out += [f"# [[{section.name}]]: see the README (`ownmedia {section.name} --help`)",
                    ""]
            continue
        doc = (cls.__doc__ or "").strip()
        out.append(f"[{section.name}]")
        if doc and not doc.startswith(cls.__name__ + "("):  # dataclass's generated signature
            out.append(f"# {doc.splitlines()[0]}")
        comments = field_comments(cls)
        chosen = values.get(section.name, {})
        unknown = set(chosen) - {f.name for f in dataclasses.fields(cls)}
        if unknown:
            raise KeyError(f"[{section.name}] has no key {sorted(unknown)}")
        for f in dataclasses.fields(cls):
            comment = f"  # {comments[f.name]}" if f.name in comments else ""
            if f.name in chosen:
                out.append(f"{f.name} = {toml_value(chosen[f.name])}{comment}")
            else:
                out.append(f"# {f.name} = {toml_value(_default(f))}{comment}")
        out.append("")
    return "\n".join(out)
