"""Draws the app's icons (web/icons/*.png) for the web app manifest: the prior N(0, I) as
shaded rings on a dark square, with one code z marked on it. Standard library only (zlib PNG),
so it runs on a bare machine: python3 tools/make_icons.py"""
import math
import struct
import zlib
from pathlib import Path

BG = (27, 31, 42)
RING = (94, 129, 244)
DOT = (255, 196, 84)


def pixel(x, y, size, maskable):
    # Coordinates in prior standard deviations: the square spans ±3.2 (±4 with a maskable
    # icon's safe zone, which keeps the picture inside the centre 80%).
    span = 4.0 if maskable else 3.2
    u, v = (2 * x / size - 1) * span, (2 * y / size - 1) * span
    r = math.hypot(u, v)
    density = math.exp(-r * r / 2)
    # Rings at 1, 2 and 3 σ, a line a little under a tenth of σ wide.
    ring = max(0.0, 1 - min(abs(r - k) for k in (1, 2, 3)) / 0.09)
    colour = [b + (c - b) * (0.55 * density) for b, c in zip(BG, RING)]
    colour = [c + (255 - c) * 0.6 * ring for c in colour]
    d = math.hypot(u - 1.1, v + 0.8)
    dot = max(0.0, min(1.0, (0.42 - d) / 0.06))
    colour = [c + (t - c) * dot for c, t in zip(colour, DOT)]
    return bytes(int(round(max(0, min(255, c)))) for c in colour)


def png(size, maskable):
    rows = b"".join(b"\0" + b"".join(pixel(x + 0.5, y + 0.5, size, maskable) for x in range(size)) for y in range(size))
    chunk = lambda kind, data: struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")


if __name__ == "__main__":
    out = Path(__file__).resolve().parent.parent / "web" / "icons"
    out.mkdir(exist_ok=True)
    for size in (192, 512):
        (out / f"icon-{size}.png").write_bytes(png(size, False))
    (out / "maskable-512.png").write_bytes(png(512, True))
