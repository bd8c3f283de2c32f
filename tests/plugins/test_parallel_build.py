"""The worker processes that write print views and render comment bodies change nothing in the
output: a build with workers is byte-identical to one without."""

import sys

from ownmedia.site import build_site


def test_workers_give_identical_output(small_content, tmp_path):
    content = small_content(("own-your-channel", "measure-without-cookies"))
    serial = build_site(tmp_path / "serial", content=content, PRINT_VIEW_WORKERS=0,
                        COMMENTS_RENDER_WORKERS=0)
    parallel = build_site(tmp_path / "parallel", content=content, PRINT_VIEW_WORKERS=2,
                          COMMENTS_RENDER_WORKERS=2)
    # Pelican loads the plugins as top-level modules: the workers really ran
    assert sys.modules["print_view"].PREFETCHED["print_views"] == 4
    assert sys.modules["print_view"].PREFETCHED["jobs"] == 1  # the comments feeds
    assert sys.modules["comments"].PREFETCHED["bodies"] == 7
    files = sorted(p.relative_to(serial) for p in serial.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(parallel) for p in parallel.rglob("*") if p.is_file())
    checked = 0
    for rel in files:
        if rel.suffix in (".html", ".xml"):
            assert (serial / rel).read_bytes() == (parallel / rel).read_bytes(), rel
            checked += 1
    assert checked > 10


def test_a_failing_print_view_writer_fails_the_build(small_content, tmp_path):
    """The print views are written by a forked process beside Pelican's writing; its error
    must stop the build, not be lost."""
    import shutil

    import pytest
    from jinja2 import TemplateNotFound

    from ownmedia.site import ROOT

    theme = tmp_path / "theme"
    shutil.copytree(ROOT / "theme", theme)
    (theme / "templates" / "print.html").write_text('{% include "no-such-part.html" %}')
    content = small_content(("own-your-channel",))
    with pytest.raises(TemplateNotFound, match="no-such-part.html"):
        build_site(tmp_path / "out", content=content, THEME=str(theme), PRINT_VIEW_WORKERS=1)
    # the next build in this process is not disturbed by the failed one
    out = build_site(tmp_path / "again", content=content, PRINT_VIEW_WORKERS=1)
    assert list(out.rglob("print/index.html"))
