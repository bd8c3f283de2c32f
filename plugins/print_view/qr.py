"""QR codes for print views, module for module what segno makes with error level M, mask 0
and no error boost, about 5x faster.

segno builds every code from scratch: function patterns, then each data bit placed by walking
the zigzag path, then the mask applied module by module through function calls. For a given
version all of that except the data bits is the same, so it is done once per version here: a
template (function patterns, format and version information) and the list of the data
modules in placement order with their mask bit. A code is then segno's own data encoding and
Reed-Solomon blocks, and one pass that writes `bit ^ mask` at each data module."""

from __future__ import annotations

import re
from functools import cache
from operator import itemgetter

from segno import consts
from segno import encoder as enc

ERROR = consts.ERROR_LEVEL_M
MASK = 0
DARK_RUN = re.compile(rb"\x01+")


class _Layout:
    """What every code of one version shares."""

    __slots__ = ("size", "fixed", "data_masks", "mask_int", "gather")

    def __init__(self, size: int, template: bytes, order: list[int], masks: bytes):
        self.size = size
        self.fixed = template  # flat, row-major: function patterns, format and version info
        self.data_masks = masks  # the mask bit of each data module, in placement order
        self.mask_int = int.from_bytes(masks, "big")
        # cell -> its value in `fixed + masked data stream`, picked in one C-level call
        source = list(range(len(template)))
        for k, index in enumerate(order):
            source[index] = len(template) + k
        self.gather = itemgetter(*source)


@cache
def layout(version: int) -> _Layout:
    """Template and data-module order of a (non-micro) version, from segno's own functions."""
    size = enc.calc_matrix_size(version)
    matrix = enc.make_matrix(size, size)
    enc.add_finder_patterns(matrix, size, size)
    enc.add_alignment_patterns(matrix, size, size)
    # The data modules are the cells still 0x2; segno's add_codewords visits them in this
    # order (non-micro symbols: right-to-left column pairs, skipping the timing column).
    order: list[tuple[int, int]] = []
    for right in range(size - 1, 0, -2):
        if right <= 6:
            right -= 1
        for vertical in range(size):
            for z in (0, 1):
                j = right - z
                upwards = ((right & 2) == 0) ^ (j < 6)
                i = (size - 1 - vertical) if upwards else vertical
                if matrix[i][j] == 0x2:
                    order.append((i, j))
                    matrix[i][j] = 0x0
    enc.add_format_info(matrix, version, ERROR, MASK)
    enc.add_version_info(matrix, version)
    template = b"".join(bytes(row) for row in matrix)
    if any(v > 1 for v in template):  # pragma: no cover - segno changed its layout
        raise ValueError(f"QR layout of version {version}: unfilled modules")
    mask_fn = enc.get_data_mask_functions(False)[MASK]
    masks = bytes(int(mask_fn(i, j)) & 1 for i, j in order)
    return _Layout(size, template, [i * size + j for i, j in order], masks)


@cache
def rs_tables(num_error_words: int) -> list[int]:
    """For each leading coefficient, the generator polynomial times it, as one integer."""
    gen = consts.GEN_POLY[num_error_words]
    log, exp = consts.GALIOS_LOG, consts.GALIOS_EXP
    tables = [0]
    for coef in range(1, 256):
        product = bytes(exp[log[coef] + g] for g in gen)
        tables.append(int.from_bytes(product, "big"))
    return tables


def error_words(block: bytes, num_error_words: int) -> bytes:
    """Reed-Solomon remainder of one block, as segno's make_blocks computes it (an LFSR over
    whole-polynomial products instead of one GF multiplication per term)."""
    tables = rs_tables(num_error_words)
    shift = 8 * (num_error_words - 1)
    keep = (1 << (8 * num_error_words)) - 1
    reg = 0
    for byte in block:
        reg = ((reg << 8) & keep) ^ tables[byte ^ (reg >> shift)]
    return reg.to_bytes(num_error_words, "big")


def _interleave(blocks: list[bytes]) -> bytes:
    longest = max(len(b) for b in blocks)
    return bytes(b[k] for k in range(longest) for b in blocks if k < len(b))


BYTE_BITS = [bytes((v >> s) & 1 for s in range(7, -1, -1)) for v in range(256)]
TO_BITS = bytes.maketrans(b"\x00\x01", b"01")


def final_message(version: int, bits: bytearray) -> bytes:
    """The interleaved data and error codewords as 0/1 bytes (segno's make_final_message)."""
    if len(bits) % 8:
        bits = bits + bytes(8 - len(bits) % 8)
    raw = bytes(bits).translate(TO_BITS)
    words = int(raw, 2).to_bytes(len(raw) // 8, "big") if raw else b""
    data_blocks, ec_blocks, pos = [], [], 0
    for info in consts.ECC[version][ERROR]:
        ne = info.num_total - info.num_data
        for _ in range(info.num_blocks):
            block = words[pos : pos + info.num_data]
            pos += info.num_data
            data_blocks.append(block)
            ec_blocks.append(error_words(block, ne))
    message = _interleave(data_blocks) + _interleave(ec_blocks)
    return b"".join([BYTE_BITS[v] for v in message])


def qr_rows(data: str) -> list[bytes]:
    """The module matrix (rows of 0/1 bytes) of `data` as segno.make(data, error="m",
    micro=False, mask=0, boost_error=False).matrix."""
    segments = enc.prepare_data(data, None, None)
    version = enc.find_version(segments, ERROR, eci=False, micro=False)
    buff = enc.Buffer()
    ver_range = enc.version_range(version)
    for segment in segments:
        enc.write_segment(buff, segment, None, ver_range, False)
    capacity = consts.SYMBOL_CAPACITY[version][ERROR]
    enc.write_terminator(buff, capacity, None, len(buff))
    enc.write_padding_bits(buff, version, len(buff))
    enc.write_pad_codewords(buff, version, capacity, len(buff))
    lay = layout(version)
    stream = final_message(version, buff.getbits())
    if len(stream) > len(lay.data_masks):  # pragma: no cover - would be a segno change
        raise ValueError(f"QR version {version}: {len(stream)} bits for {len(lay.data_masks)}")
    stream += bytes(len(lay.data_masks) - len(stream))  # remainder bits (0, 3, 4 or 7)
    masked = (int.from_bytes(stream, "big") ^ lay.mask_int).to_bytes(len(stream), "big")
    flat = bytes(lay.gather(lay.fixed + masked))
    size = lay.size
    return [flat[k : k + size] for k in range(0, size * size, size)]


def rows_svg(rows: list[bytes], border: int = 2, scale: int = 3) -> str:
    """Dark modules as one path of horizontal runs, on a white square with a quiet zone."""
    size = len(rows) + 2 * border
    moves = [f"M{x + border}" for x in range(len(rows))]
    runs = [f"{n}v1h-{n}z" for n in range(len(rows) + 1)]
    parts = []
    for y, row in enumerate(rows, start=border):
        at_y = f" {y}h"
        parts += [
            moves[m.start()] + at_y + runs[m.end() - m.start()] for m in DARK_RUN.finditer(row)
        ]
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="qr-code" viewBox="0 0 {size} {size}" '
        f'width="{size * scale}" height="{size * scale}" shape-rendering="crispEdges" '
        f'role="img" aria-label="QR code"><rect width="{size}" height="{size}" fill="#fff"/>'
        f'<path fill="#000" d="{"".join(parts)}"/></svg>'
    )
