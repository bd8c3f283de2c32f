"""The `[[cta:<id>]]` Markdown syntax: where it applies, where it does not, which line."""

import markdown
from hypothesis import given, settings
from hypothesis import strategies as st
from ownmedia.plugins.cta.markdown_ext import (
    CTAExtension,
    Placement,
    parse_placeholders,
    placements_in_text,
)


def convert(text: str, meta: bool = False) -> str:
    extensions = [CTAExtension(), "fenced_code"] + (["meta"] if meta else [])
    return markdown.markdown(text, extensions=extensions)


def test_marker_becomes_a_block_placeholder_with_its_line():
    html = convert("Intro.\n\n[[cta:newsletter]]\n\nOutro.\n")
    assert parse_placeholders(html) == [Placement("newsletter", 3)]
    assert "<p>Intro.</p>" in html and "<p>Outro.</p>" in html
    assert "[[cta" not in html


def test_line_numbers_count_the_metadata_header():
    text = "Title: T\nSlug: t\n\nOne.\n\n[[cta:a]]\n\nTwo.\n\n[[cta:b]]\n"
    html = convert(text, meta=True)
    assert parse_placeholders(html) == [Placement("a", 6), Placement("b", 10)]


def test_marker_glued_to_a_paragraph_still_splits_it():
    html = convert("First line\n[[cta:x]]\nlast line\n")
    assert parse_placeholders(html) == [Placement("x", 2)]
    assert "<p>First line</p>" in html and "<p>last line</p>" in html


def test_spacing_and_case_variants_are_accepted():
    assert placements_in_text("[[ CTA : media-kit ]]\n   [[cta:demo]]  \n") == [
        Placement("media-kit", 1),
        Placement("demo", 2),
    ]


def test_markers_in_code_or_inside_a_sentence_are_left_alone():
    text = (
        "Write `[[cta:x]]` on its own line, like [[cta:y]] here.\n\n"
        "```\n[[cta:in-backticks]]\n```\n\n"
        "~~~~markdown\n[[cta:in-tildes]]\n~~~\n[[cta:still-in-tildes]]\n~~~~\n\n"
        "    [[cta:indented-code]]\n\n"
        "[[cta:real]]\n"
    )
    assert placements_in_text(text) == [Placement("real", 15)]
    html = convert(text)
    assert "[[cta:in-backticks]]" in html and "[[cta:indented-code]]" in html
    assert "[[cta:y]]" in html
    assert parse_placeholders(html) == [Placement("real", 15)]


def test_empty_and_odd_ids_are_kept_for_the_build_to_report():
    text = "[[cta:]]\n\n[[cta:Bad Id]]\n\n[[cta:a-->b]]\n"
    html = convert(text)
    assert parse_placeholders(html) == [
        Placement("", 1),
        Placement("Bad Id", 3),
        Placement("a-->b", 5),
    ]
    assert "-->b" not in html.replace("%3E", "")  # the id cannot close the comment early


def test_plain_text_without_markers_is_unchanged():
    assert convert("Just *text*.") == markdown.markdown("Just *text*.")


TOKENS = ["[[cta:a]]", "[[cta:b]]", "```", "~~~", "````", "```python", "    ", "\t", "text", "-",
          ">", "1.", "<div>", "</div>", "`", "Title: x", "|", "---", "*[", "]:"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.lists(st.sampled_from(TOKENS), max_size=4).map(" ".join),
                          st.just("")), max_size=12).map("\n".join))
def test_every_marker_found_is_rendered_with_pelicans_extensions(text):
    """Whatever surrounds them (code, lists, quotes, tables, HTML), the markers the plain scan
    finds (and `ownmedia ctas` lists) are exactly the placeholders the build renders."""
    html = markdown.markdown(text, extensions=[CTAExtension(), "extra", "codehilite", "meta"])
    assert parse_placeholders(html) == placements_in_text(text)
