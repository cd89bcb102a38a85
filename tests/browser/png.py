"""Just enough PNG decoding (zlib + struct, no imaging library) to tell a rendered page from a
blank one: size, and the set of colours actually painted."""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

SIGNATURE = b"\x89PNG\r\n\x1a\n"
CHANNELS = {0: 1, 2: 3, 4: 2, 6: 4}  # colour type -> samples per pixel (8-bit, no palette)


@dataclass(frozen=True)
class Image:
    width: int
    height: int
    channels: int
    rows: list[bytes]

    def colours(self) -> dict[tuple[int, ...], int]:
        """Each RGB(A) colour painted, with how many pixels have it."""
        counts: dict[tuple[int, ...], int] = {}
        step = self.channels
        for row in self.rows:
            for i in range(0, len(row), step):
                pixel = tuple(row[i:i + min(step, 3)])
                counts[pixel] = counts.get(pixel, 0) + 1
        return counts


def decode(data: bytes) -> Image:
    if not data.startswith(SIGNATURE):
        raise ValueError("not a PNG")
    chunks, pos, idat = {}, len(SIGNATURE), bytearray()
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IDAT":
            idat += body
        else:
            chunks.setdefault(kind, body)
        pos += 12 + length
    width, height, depth, colour, _c, _f, interlace = struct.unpack(">IIBBBBB", chunks[b"IHDR"])
    if depth != 8 or colour not in CHANNELS or interlace:
        raise ValueError(f"unsupported PNG: depth {depth}, colour type {colour}, interlace {interlace}")
    channels = CHANNELS[colour]
    return Image(width, height, channels, _unfilter(zlib.decompress(bytes(idat)), width * channels, height, channels))


def _unfilter(raw: bytes, stride: int, height: int, bpp: int) -> list[bytes]:
    rows, previous = [], bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        for x in range(stride):
            left = line[x - bpp] if x >= bpp else 0
            up, corner = previous[x], previous[x - bpp] if x >= bpp else 0
            line[x] = (line[x] + _predict(kind, left, up, corner)) & 0xFF
        rows.append(bytes(line))
        previous = line
    return rows


def _predict(kind: int, left: int, up: int, corner: int) -> int:
    if kind == 0:
        return 0
    if kind == 1:
        return left
    if kind == 2:
        return up
    if kind == 3:
        return (left + up) // 2
    if kind == 4:
        estimate = left + up - corner
        da, db, dc = abs(estimate - left), abs(estimate - up), abs(estimate - corner)
        return left if da <= db and da <= dc else up if db <= dc else corner
    raise ValueError(f"bad PNG filter {kind}")
