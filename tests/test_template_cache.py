"""Templates between and within builds: ownmedia.incremental.use_template_cache."""

from __future__ import annotations

from ownmedia.incremental import use_template_cache


def test_a_build_does_not_look_at_its_templates_again_a_live_publisher_does(tmp_path):
    build: dict = {"JINJA_ENVIRONMENT": {"trim_blocks": True}}
    use_template_cache(build, tmp_path)
    assert build["JINJA_ENVIRONMENT"]["auto_reload"] is False
    assert build["JINJA_ENVIRONMENT"]["trim_blocks"] is True
    live: dict = {"OWNMEDIA_DRY_RUN": True}
    use_template_cache(live, tmp_path)
    assert "auto_reload" not in live["JINJA_ENVIRONMENT"]
    owner: dict = {"JINJA_ENVIRONMENT": {"auto_reload": True}}
    use_template_cache(owner, tmp_path)
    assert owner["JINJA_ENVIRONMENT"]["auto_reload"] is True
