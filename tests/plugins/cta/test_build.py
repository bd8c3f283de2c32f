"""The CTA plugin inside real Pelican builds of a tiny content folder: what is rendered, and
every build error (unknown id, no destination, duplicate), each naming post, line and id."""

from __future__ import annotations

from pathlib import Path

import pytest

from ownmedia.site import build_site

CTAS = {
    "newsletter": {"label": {"fr": "S'abonner", "en": "Subscribe"}, "url": "/newsletter/"},
    "partner": {
        "label": {"fr": "Partenaire", "en": "Partner"},
        "url": "https://partner.example.net/offer",
        "style": "link",
    },
    "kit": {"label": "Media kit", "url": "/images/kit.pdf", "utm": False},
}
NOWHERE = {**CTAS, "nowhere": {"label": "Nowhere"}}  # a CTA without destination
ARTICLE = (
    '<body data-ownmedia-post="{{ article.slug }}"><div class="entry-content">'
    "{{ article.content }}</div>{{ article.cta_end_html }}</body>"
)


def post(slug: str, body: str, lang: str = "fr", **meta: str) -> str:
    header = {"Title": slug, "Date": "2026-01-02", "Slug": slug, "Lang": lang, **meta}
    return "".join(f"{k}: {v}\n" for k, v in header.items()) + "\n" + body


def build(tmp_path: Path, posts: dict[str, str], **settings: object) -> Path:
    content = tmp_path / "content"
    (content / "posts").mkdir(parents=True)
    for name, text in posts.items():
        (content / "posts" / name).write_text(text, encoding="utf-8")
    theme = tmp_path / "theme"
    (theme / "templates").mkdir(parents=True)
    (theme / "templates" / "article.html").write_text(ARTICLE, encoding="utf-8")
    settings = {"CTAS": CTAS, "CTA_DEFAULT": "newsletter", **settings}
    return build_site(
        tmp_path / "out",
        content=content,
        THEME=str(theme),
        PLUGINS=["ownmedia.plugins.cta"],
        SITEURL="https://blog.example.org",
        ANALYTICS=None,
        **settings,
    )


def build_error(tmp_path: Path, posts: dict[str, str], **settings: object) -> str:
    with pytest.raises(Exception) as info:
        build(tmp_path, posts, **settings)
    assert type(info.value).__name__ == "CTABuildError", info.value
    return str(info.value)


def page(out: Path, slug: str, lang: str = "fr") -> str:
    prefix = "" if lang == "fr" else f"{lang}/"
    return (out / f"{prefix}2026/{slug}/index.html").read_text(encoding="utf-8")


def test_inline_and_end_of_post_ctas_are_rendered(tmp_path):
    out = build(
        tmp_path,
        {
            "a.md": post("alpha", "Intro.\n\n[[cta:partner]]\n\nEnd.\n"),
            "a.en.md": post("alpha", "Intro.\n\n[[cta:partner]]\n\nEnd.\n", lang="en"),
            "b.md": post("beta", "Text.\n", Cta="kit"),
            "c.md": post("gamma", "Text.\n", Cta="none"),
            "d.md": post("delta", "Text.\n\n[[cta:newsletter]]\n"),
        },
    )
    alpha = page(out, "alpha")
    assert (
        '<div class="cta-block cta-inline" data-cta="partner"><a class="cta cta-link '
        "plausible-event-name=CTA+Click plausible-event-cta=partner "
        'plausible-event-post=alpha" href="https://partner.example.net/offer?'
        "utm_source=blog.example.org&amp;utm_medium=cta&amp;utm_campaign=alpha&amp;"
        'utm_content=partner" rel="noopener">Partenaire</a></div>'
    ) in alpha
    assert "[[cta" not in alpha and "ownmedia-cta" not in alpha
    # the site default closes the post
    assert alpha.endswith(
        'plausible-event-post=alpha" href="/newsletter/">S&#x27;abonner</a></div></body>'
    )
    assert ">Partner</a>" in page(out, "alpha", "en")
    assert ">Subscribe</a></div></body>" in page(out, "alpha", "en")
    beta = page(out, "beta")  # metadata picks the end CTA
    assert 'data-cta="kit"' in beta and 'href="/images/kit.pdf"' in beta
    assert 'data-cta="newsletter"' not in beta
    assert "cta-block" not in page(out, "gamma")  # cta: none
    delta = page(out, "delta")  # the site default yields to the same CTA placed inline
    assert delta.count("plausible-event-cta=newsletter") == 1


def test_no_default_means_no_end_cta(tmp_path):
    out = build(tmp_path, {"a.md": post("alpha", "Text.\n")}, CTA_DEFAULT=None)
    assert "cta-block" not in page(out, "alpha")


def test_unknown_cta_id_names_post_line_and_id(tmp_path):
    message = build_error(
        tmp_path,
        {
            "good.md": post("good", "Fine.\n"),
            "bad.md": post("bad-post", "One.\n\nTwo.\n\n[[cta:newsleter]]\n"),
        },
    )
    assert "posts/bad.md:10" in message
    assert "post 'bad-post'" in message
    assert "'newsleter'" in message and "unknown" in message
    assert "newsletter" in message  # the known ids help fix the typo


def test_cta_without_destination_names_post_line_and_id(tmp_path):
    message = build_error(
        tmp_path, {"a.md": post("alpha", "Text.\n\n[[cta:nowhere]]\n")}, CTAS=NOWHERE
    )
    assert "posts/a.md:8" in message and "post 'alpha'" in message
    assert "'nowhere'" in message and "no destination" in message


def test_unplaced_cta_without_destination_still_fails(tmp_path):
    message = build_error(tmp_path, {"a.md": post("alpha", "Text.\n")}, CTAS=NOWHERE)
    assert "CTAS['nowhere'] has no destination" in message


def test_duplicate_id_in_a_post_names_both_lines(tmp_path):
    message = build_error(
        tmp_path,
        {
            "a.md": post("alpha", "[[cta:kit]]\n\nText.\n\n[[cta:kit]]\n"),
        },
    )
    assert "posts/a.md:10" in message and "post 'alpha'" in message
    assert "'kit'" in message and "duplicate" in message and "line 6" in message


def test_metadata_cta_duplicating_an_inline_one_is_reported(tmp_path):
    message = build_error(tmp_path, {"a.md": post("alpha", "[[cta:kit]]\n", Cta="kit")})
    assert "posts/a.md:5 (metadata 'cta')" in message and "duplicate" in message


def test_unknown_metadata_cta_names_the_metadata_line(tmp_path):
    message = build_error(tmp_path, {"a.md": post("alpha", "Text.\n", Cta="nope")})
    assert "posts/a.md:5 (metadata 'cta')" in message and "'nope'" in message


def test_empty_marker_is_reported(tmp_path):
    message = build_error(tmp_path, {"a.md": post("alpha", "[[cta:]]\n")})
    assert "posts/a.md:6" in message and "empty CTA id" in message


def test_all_problems_are_listed_together(tmp_path):
    message = build_error(
        tmp_path,
        {
            "a.md": post("alpha", "[[cta:x1]]\n"),
            "b.md": post("beta", "[[cta:x2]]\n"),
        },
    )
    assert message.startswith("2 CTA problem(s)")
    assert "'x1'" in message and "'x2'" in message


def test_registry_errors_stop_the_build_before_reading(tmp_path):
    message = build_error(
        tmp_path, {"a.md": post("alpha", "Text.\n")}, CTAS={"Bad Id": {"label": "x", "url": "/"}}
    )
    assert "pelicanconf" in message and "'Bad Id'" in message
    message = build_error(tmp_path / "2", {"a.md": post("alpha", "Text.\n")}, CTA_DEFAULT="missing")
    assert "CTA_DEFAULT = 'missing'" in message


def test_a_build_without_the_plugin_leaves_markers_alone(tmp_path):
    """Signals stay connected in the process; builds that do not list the plugin are untouched."""
    build(tmp_path / "with", {"a.md": post("alpha", "Text.\n")})
    content = tmp_path / "content2"
    (content / "posts").mkdir(parents=True)
    (content / "posts" / "a.md").write_text(post("alpha", "[[cta:unknown]]\n"), encoding="utf-8")
    out = build_site(
        tmp_path / "out2", content=content, PLUGINS=[], THEME=str(tmp_path / "with" / "theme")
    )
    assert "[[cta:unknown]]" in (out / "2026/alpha/index.html").read_text(encoding="utf-8")
