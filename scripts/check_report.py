#!/usr/bin/env python3
"""Checks a spanalloc report as Chromium rendered it.

usage: check_report.py DOM.html SCREENSHOT.png CHROMIUM.log CHART [CHART ...]

Fails (exit 1, one line per problem) when the page is blank, a section or chart is missing or
empty, or Chromium's log shows a console error or a failed load. Standard library only.
"""
import re
import struct
import sys
import zlib

SECTIONS = ["verdict", "strategies", "charts", "sweep", "timeline", "stages", "baseline",
            "history", "benches", "claims", "method"]


def png_pixels(path):
    """Decodes an 8-bit RGB or RGBA, non-interlaced PNG: (width, height, channels, rows)."""
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, width = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or colour not in (2, 6) or interlace:
                raise ValueError(f"unsupported PNG (depth {depth}, colour {colour}, interlace {interlace})")
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    rows, prev = [], bytearray(stride)
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b = prev[i]
            c = prev[i - channels] if i >= channels else 0
            if f == 1:
                line[i] = (line[i] + a) & 0xFF
            elif f == 2:
                line[i] = (line[i] + b) & 0xFF
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xFF
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 0xFF
        rows.append(bytes(line))
        prev = line
    return width, height, channels, rows


def check(dom_path, png_path, log_path, charts):
    problems = []
    dom = open(dom_path, encoding="utf-8", errors="replace").read()
    for s in SECTIONS:
        m = re.search(r'<section id="%s">(.*?)</section>' % s, dom, re.S)
        if not m:
            problems.append(f"section {s} is missing")
        elif len(re.sub(r"<[^>]+>", "", m.group(1)).strip()) < 20:
            problems.append(f"section {s} is empty")
    for c in charts:
        m = re.search(r'<figure class="chart" id="chart-%s">(.*?)</figure>' % re.escape(c), dom, re.S)
        if not m:
            problems.append(f"chart {c} is missing")
        elif len(re.findall(r"<(rect|path|polyline|circle|line)\b", m.group(1))) < 5:
            problems.append(f"chart {c} is empty")
    try:
        width, height, channels, rows = png_pixels(png_path)
        colours, inked = set(), 0
        for row in rows[::8]:
            for x in range(0, width * channels, channels * 8):
                px = row[x:x + 3]
                colours.add(px)
                inked += px != b"\xff\xff\xff"
        if len(colours) < 8 or inked < 200:
            problems.append(f"the screenshot is blank ({len(colours)} colours, {inked} inked samples)")
    except (OSError, ValueError, zlib.error) as e:
        problems.append(f"the screenshot cannot be read: {e}")
    for line in open(log_path, encoding="utf-8", errors="replace"):
        if re.search(r"CONSOLE|Uncaught|Failed to load resource|net::ERR_", line) and "dbus" not in line:
            problems.append("console: " + line.strip()[:200])
    return problems


def main():
    if len(sys.argv) < 5:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    problems = check(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:])
    for p in problems:
        print("check-report: " + p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
