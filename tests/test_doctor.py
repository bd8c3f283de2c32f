"""`ownmedia doctor`: on fixture sites of our own (tests/plugins/sites), what it finds, its
exit code and its JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from ownmedia.cli import main
from ownmedia.doctor import ERROR, OK, WARNING, diagnose
from tests.plugins.sites.helpers import copy_site


@pytest.fixture
def site(tmp_path) -> Path:
    return copy_site("foreign", tmp_path / "foreign")


def append_settings(site: Path, text: str) -> None:
    conf = site / "pelicanconf.py"
    conf.write_text(conf.read_text(encoding="utf-8") + "\n" + text + "\n", encoding="utf-8")


def messages(report, level: str) -> list[str]:
    return [f.message for f in report.findings if f.level == level]


def doctor(*args: str, lang: str = "en"):
    return CliRunner().invoke(main, ["doctor", *args], env={"OWNMEDIA_LANG": lang})


def test_a_site_that_follows_the_readme_has_nothing_missing(site):
    result = doctor(str(site), "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["errors"] == 0 and report["warnings"] == 0
    checked = {f["check"] for f in report["findings"]}
    assert checked == {"plugins", "siteurl", "templates"}
    assert any("print link (print_view): included by article.html" in f["message"]
               for f in report["findings"])


def test_a_snippet_the_theme_does_not_include_is_named(site):
    article = site / "theme" / "templates" / "article.html"
    article.write_text(article.read_text().replace(
        '{% include "ownmedia/article_end.html" %}', ""), encoding="utf-8")
    report = diagnose(site)
    warned = messages(report, WARNING)
    assert any('share links (share) will not appear: add {% include "ownmedia/share.html" %}'
               in m for m in warned)
    assert any("comments and comment form" in m for m in warned)
    assert not any("print link" in m for m in warned)  # still included
    assert report.errors == 0


def test_a_relative_siteurl_is_a_warning_that_names_publishconf(site):
    append_settings(site, 'SITEURL = ""')
    (site / "publishconf.py").write_text(
        "from pathlib import Path\nimport sys\nsys.path.insert(0, str(Path(__file__).parent))\n"
        "from pelicanconf import *  # noqa\nSITEURL = 'https://pub.example.test'\n")
    warned = messages(diagnose(site), WARNING)
    assert any("SITEURL is ''" in m and "publishconf.py has https://pub.example.test" in m
               for m in warned)


def test_a_plugin_shadowed_by_another_package_is_an_error(site, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    (other / "share.py").write_text("def register():\n    pass\n")
    append_settings(site, f"PLUGIN_PATHS = [{str(other)!r}]\nPLUGINS = ['share']")
    result = doctor(str(site))
    assert result.exit_code == 1
    assert f"plugin 'share' is not ownmedia's: Pelican loads {other / 'share.py'}" \
        in result.output
    assert "1 error(s)" in result.output


def test_seo_is_pelican_seo_when_it_is_installed(site):
    """pelican-seo (a test dependency) is the namespace plugin `seo`: Pelican prefers it."""
    import pelican.plugins.seo

    append_settings(site, "PLUGINS = ['seo']")
    result = doctor(str(site))
    assert result.exit_code == 1
    assert f"plugin 'seo' is not ownmedia's: Pelican loads {pelican.plugins.seo.__file__}" \
        in result.output


def test_plugins_left_unset_is_a_warning(site):
    append_settings(site, "del PLUGINS")
    report = diagnose(site)
    assert any("PLUGINS is not set" in m for m in messages(report, WARNING))
    assert report.errors == 0


def test_a_missing_settings_file_is_an_error_in_french_too(tmp_path):
    result = doctor(str(tmp_path), lang="fr")
    assert result.exit_code == 1
    assert f"pas de pelicanconf.py dans {tmp_path.resolve()}" in result.output
    assert [f.level for f in diagnose(tmp_path).findings] == [ERROR]


def test_a_wrong_setting_value_is_an_error(site):
    append_settings(site, 'OWNMEDIA_UNREADABLE_CONTENT = "sometimes"')
    assert any("OWNMEDIA_UNREADABLE_CONTENT = 'sometimes'" in m
               for m in messages(diagnose(site), ERROR))


def test_help_is_bilingual():
    result = doctor("--help")
    assert "Check a Pelican site / diagnostic d'un site Pelican" in result.output


def test_another_sitemap_plugin_beside_ours_is_said_and_ours_steps_back(site, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    (other / "sitemap.py").write_text("def register():\n    pass\n")
    append_settings(site, f"PLUGIN_PATHS = [{str(other)!r}]\n"
                          "PLUGINS = PLUGINS + ['sitemap', 'pelican.plugins.seo']\n"
                          "SEO_ENHANCER = True")
    report = diagnose(site)
    assert not messages(report, WARNING) and not report.errors
    assert ("pelican-seo writes canonical links and robots.txt; pelican-sitemap writes "
            "sitemap.xml: ownmedia's seo leaves them out (written once)"
            in messages(report, OK)), messages(report, OK)
