"""A small PNG reader for screenshot tests (8-bit RGB/RGBA, not interlaced): pixels as RGB."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


class Image:
    """Decoded pixels: `rows[y][x]` is an (r, g, b) tuple."""

    def __init__(self, width: int, height: int, rows: list[list[tuple[int, int, int]]]) -> None:
        self.width, self.height, self.rows = width, height, rows

    def share(
        self, colour: tuple[int, int, int], box: tuple[int, int, int, int], tol: int = 6
    ) -> float:
        """The share of pixels in box (x0, y0, x1, y1) within `tol` of `colour`."""
        x0, y0, x1, y1 = box
        hits = total = 0
        for row in self.rows[y0:y1]:
            for r, g, b in row[x0:x1]:
                total += 1
                if (
                    abs(r - colour[0]) <= tol
                    and abs(g - colour[1]) <= tol
                    and abs(b - colour[2]) <= tol
                ):
                    hits += 1
        return hits / total if total else 0.0

    def colours(self) -> int:
        return len({px for row in self.rows[::7] for px in row[::7]})


def read_png(path: Path) -> Image:
    data = path.read_bytes()
    if not data.startswith(SIGNATURE):
        raise ValueError(f"{path} is not a PNG")
    offset, idat = len(SIGNATURE), b""
    width = height = depth = kind = interlace = 0
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        tag = data[offset + 4 : offset + 8]
        body = data[offset + 8 : offset + 8 + length]
        offset += 12 + length
        if tag == b"IHDR":
            width, height, depth, kind, _, _, interlace = struct.unpack(">IIBBBBB", body)
        elif tag == b"IDAT":
            idat += body
        elif tag == b"IEND":
            break
    if depth != 8 or kind not in (2, 6) or interlace:
        raise ValueError(f"unsupported PNG: depth {depth}, colour type {kind}")
    channels = 3 if kind == 2 else 4
    stride = width * channels
    raw = zlib.decompress(idat)
    previous = bytearray(stride)
    rows: list[list[tuple[int, int, int]]] = []
    for y in range(height):
        start = y * (stride + 1)
        kind_of_filter = raw[start]
        line = bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride if kind_of_filter else 0):
            left = line[i - channels] if i >= channels else 0
            up = previous[i]
            corner = previous[i - channels] if i >= channels else 0
            if kind_of_filter == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind_of_filter == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind_of_filter == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind_of_filter == 4:
                line[i] = (line[i] + _paeth(left, up, corner)) & 0xFF
        rows.append([(line[x], line[x + 1], line[x + 2]) for x in range(0, stride, channels)])
        previous = line
    return Image(width, height, rows)
