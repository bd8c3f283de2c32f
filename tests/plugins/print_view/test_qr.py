"""The fast QR layout (plugins/print_view/qr.py) makes segno's codes, module for module."""

import random

import pytest
import segno

from plugins.print_view import make_qr_svg, matrix_svg, qr_target
from plugins.print_view.qr import qr_rows, rows_svg


def segno_rows(data: str) -> list[bytes]:
    code = segno.make(data, error="m", micro=False, mask=0, boost_error=False)
    return [bytes(row) for row in code.matrix]


def sample_inputs() -> list[str]:
    rng = random.Random(7)
    alphabet = "abcdefghij/:?&=é-_.0123456789ABC"
    urls = [
        qr_target(f"https://blog.example/{2020 + i % 7}/post-{i}-{'x' * (i * 7)}/", f"p{i}")
        for i in range(60)
    ]
    odd = ["a", "https://x.example/", "12345", "HELLO WORLD", "é" * 40, "1" * 2000, "AB1" * 90]
    noise = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 700))) for _ in range(60)]
    return urls + odd + noise


@pytest.mark.parametrize("data", sample_inputs())
def test_same_modules_as_segno(data):
    assert qr_rows(data) == segno_rows(data)


def test_versions_covered():
    versions = {len(qr_rows(d)) for d in sample_inputs()}
    # every layout family: no version info (1-6), version info (7+), many alignment patterns
    assert min(versions) == 21 and max(versions) >= 21 + 4 * 20


def test_svg_same_as_from_segno_matrix():
    data = qr_target("https://blog.example/2026/p/", "p")
    code = segno.make(data, error="m", micro=False, mask=0, boost_error=False)
    assert make_qr_svg(data) == rows_svg(qr_rows(data)) == matrix_svg(code.matrix)
