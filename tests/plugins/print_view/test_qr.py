"""QR codes in print views are segno's (error level M, mask 0, no boost), drawn as runs: the
SVG has exactly the dark modules of segno's matrix, and a reader's phone decodes the URL."""

import re

import segno
from ownmedia.plugins.print_view import make_qr_svg, matrix_svg, qr_target


def dark_modules_of_svg(svg: str, border: int = 2) -> set[tuple[int, int]]:
    """Every module the path paints (each run is `M<x> <y>h<n>v1h-<n>z`)."""
    path = re.search(r'<path fill="#000" d="([^"]*)"', svg).group(1)
    cells = set()
    for x, y, n in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\3z", path):
        for dx in range(int(n)):
            cells.add((int(y) - border, int(x) + dx - border))
    return cells


def test_svg_paints_exactly_segnos_modules():
    for data in (qr_target("https://blog.example/2026/p/", "p"), "a", "é" * 40, "1" * 500):
        code = segno.make(data, error="m", micro=False, mask=0, boost_error=False)
        expected = {(i, j) for i, row in enumerate(code.matrix) for j, v in enumerate(row) if v}
        svg = make_qr_svg(data)
        assert dark_modules_of_svg(svg) == expected
        assert svg == matrix_svg(code.matrix)
        size = len(code.matrix) + 4
        assert f'viewBox="0 0 {size} {size}"' in svg


def test_no_copy_of_segno_internals():
    """segno is used through segno.make only (the layout copy qr.py is gone)."""
    from pathlib import Path

    import ownmedia.plugins.print_view as pv

    source = Path(pv.__file__).read_text()
    assert "segno.encoder" not in source and "from segno import" not in source
    assert not (Path(pv.__file__).parent / "qr.py").exists()
