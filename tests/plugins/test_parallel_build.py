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
