"""Templates between and within builds: ownmedia.template_cache (compiled code kept by
content, the theme's per site, ownmedia's snippets per user) and how a build uses it
(ownmedia.incremental.use_template_cache)."""

from __future__ import annotations

import marshal
import pickle
from pathlib import Path

import pytest
from jinja2 import Environment, FileSystemLoader
from jinja2.bccache import bc_magic

from ownmedia.incremental import use_template_cache
from ownmedia.pelican_support import SNIPPETS_DIR
from ownmedia.template_cache import SUFFIX, TemplateCache


def test_a_build_does_not_look_at_its_templates_again_a_live_publisher_does(tmp_path):
    build: dict = {"JINJA_ENVIRONMENT": {"trim_blocks": True}}
    use_template_cache(build, tmp_path)
    assert build["JINJA_ENVIRONMENT"]["auto_reload"] is False
    assert build["JINJA_ENVIRONMENT"]["trim_blocks"] is True
    cache = build["JINJA_ENVIRONMENT"]["bytecode_cache"]
    assert isinstance(cache, TemplateCache) and cache.site_folder == tmp_path / "jinja"
    live: dict = {"OWNMEDIA_DRY_RUN": True}
    use_template_cache(live, tmp_path)
    assert "auto_reload" not in live["JINJA_ENVIRONMENT"]
    owner: dict = {"JINJA_ENVIRONMENT": {"auto_reload": True}}
    use_template_cache(owner, tmp_path)
    assert owner["JINJA_ENVIRONMENT"]["auto_reload"] is True


class Counting(Environment):
    """Jinja's Environment, counting the templates it compiles (a cache miss each)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.compiled: list[str | None] = []

    def compile(self, source, name=None, filename=None, *args, **kwargs):
        self.compiled.append(name)
        return super().compile(source, name, filename, *args, **kwargs)


def environment(theme: Path, site_cache: Path, user_cache: Path, **options) -> Counting:
    """A Pelican-like environment: the site's theme, then ownmedia's snippets."""
    loader = FileSystemLoader([str(theme), str(SNIPPETS_DIR)])
    return Counting(loader=loader, bytecode_cache=TemplateCache(site_cache, user_cache), **options)


def theme(folder: Path, base: str) -> Path:
    folder.mkdir(parents=True)
    (folder / "base.html").write_text(base, encoding="utf-8")
    return folder


def code_files(folder: Path) -> set[str]:
    return {p.name for p in folder.glob(f"*{SUFFIX}")}


def test_a_template_is_compiled_once_and_again_when_it_changes(tmp_path):
    site = theme(tmp_path / "theme", "Hello {{ who }}")
    first = environment(site, tmp_path / "site", tmp_path / "user")
    assert first.get_template("base.html").render(who="you") == "Hello you"
    assert first.compiled == ["base.html"]
    again = environment(site, tmp_path / "site", tmp_path / "user")
    assert again.get_template("base.html").render(who="me") == "Hello me"
    assert again.compiled == []  # from the cache
    (site / "base.html").write_text("Bye {{ who }}", encoding="utf-8")
    changed = environment(site, tmp_path / "site", tmp_path / "user")
    assert changed.get_template("base.html").render(who="me") == "Bye me"
    assert changed.compiled == ["base.html"]
    other_syntax = environment(
        site,
        tmp_path / "site",
        tmp_path / "user",
        variable_start_string="[[",
        variable_end_string="]]",
    )
    assert other_syntax.get_template("base.html").render(who="me") == "Bye {{ who }}"
    assert other_syntax.compiled == ["base.html"]
    assert len(code_files(tmp_path / "site")) == 3


@pytest.mark.parametrize(
    "garbage",
    [
        b"",
        b"not a cache file at all",
        bc_magic + b"\x80\x04 truncated pickle",
        "code of another template",  # a valid file whose code is not a code object
    ],
)
def test_a_foreign_or_corrupt_cache_file_is_a_miss_and_is_written_again(tmp_path, garbage):
    site = theme(tmp_path / "theme", "Hello {{ who }}")
    environment(site, tmp_path / "site", tmp_path / "user").get_template("base.html")
    (path,) = (tmp_path / "site").glob(f"*{SUFFIX}")
    if isinstance(garbage, str):
        checksum = pickle.loads(path.read_bytes()[len(bc_magic) :])
        garbage = bc_magic + pickle.dumps(checksum, 2) + marshal.dumps(garbage)
    path.write_bytes(garbage)
    env = environment(site, tmp_path / "site", tmp_path / "user")
    assert env.get_template("base.html").render(who="you") == "Hello you"
    assert env.compiled == ["base.html"]
    fresh = environment(site, tmp_path / "site", tmp_path / "user")
    assert fresh.get_template("base.html").render(who="me") == "Hello me"
    assert fresh.compiled == []  # the file was written again


def test_two_sites_share_ownmedias_snippets_but_not_their_themes(tmp_path):
    snippet = "ownmedia/_strings.html"
    one = theme(tmp_path / "one" / "theme", "one {{ x }}")
    two = theme(tmp_path / "two" / "theme", "two {{ x }}")
    env_one = environment(one, tmp_path / "one" / "cache", tmp_path / "user")
    assert env_one.get_template("base.html").render(x=1) == "one 1"
    env_one.get_template(snippet)
    assert env_one.compiled == ["base.html", snippet]
    env_two = environment(two, tmp_path / "two" / "cache", tmp_path / "user")
    assert env_two.get_template("base.html").render(x=2) == "two 2"
    env_two.get_template(snippet)
    assert env_two.compiled == ["base.html"]  # the snippet came from the user's folder
    assert len(code_files(tmp_path / "user")) == 1
    assert len(code_files(tmp_path / "one" / "cache")) == 1
    assert code_files(tmp_path / "one" / "cache").isdisjoint(code_files(tmp_path / "two" / "cache"))


def test_a_user_folder_others_can_write_to_is_not_used(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o777)
    shared.chmod(0o777)
    site = theme(tmp_path / "theme", "x")
    env = environment(site, tmp_path / "site", shared)
    env.get_template("ownmedia/_strings.html")
    assert code_files(shared) == set()
    assert len(code_files(tmp_path / "site")) == 1  # the site's own folder instead
