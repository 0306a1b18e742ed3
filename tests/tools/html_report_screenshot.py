#!/usr/bin/env python3
"""Renders `raswarden report --html` in headless Chromium and checks the screenshot shows the
concurrent-sessions chart: enough pixels of the chart's stroke colour, spread across its width.

usage: html_report_screenshot.py RASWARDEN LOGS WORK_DIR [SCREENSHOT]
Standard library only (the PNG is decoded with zlib).
"""
import os
import shutil
import struct
import subprocess
import sys
import zlib

# The concurrency line's stroke colour (src/core/report.cpp, concurrency_colour).
STROKE = (0xD6, 0x33, 0x6C)
WIDTH, HEIGHT = 1280, 2000


def decode_png(data):
    """Returns (width, height, rows) with rows as lists of (r, g, b) tuples."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    position, idat, header = 8, b"", None
    while position < len(data):
        (length,) = struct.unpack(">I", data[position:position + 4])
        kind = data[position + 4:position + 8]
        body = data[position + 8:position + 8 + length]
        position += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
    width, height, depth, colour_type, _, _, interlace = header
    if depth != 8 or colour_type not in (2, 6) or interlace != 0:
        raise ValueError(f"unsupported PNG: depth {depth}, colour type {colour_type}, interlace {interlace}")
    channels = 3 if colour_type == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * channels
    rows, previous, offset = [], bytearray(stride), 0
    for _ in range(height):
        kind = raw[offset]
        line = bytearray(raw[offset + 1:offset + 1 + stride])
        offset += 1 + stride
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = previous[i]
            upper_left = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + ((left + up) >> 1)) & 0xFF
            elif kind == 4:
                estimate = left + up - upper_left
                pa, pb, pc = abs(estimate - left), abs(estimate - up), abs(estimate - upper_left)
                predictor = left if pa <= pb and pa <= pc else (up if pb <= pc else upper_left)
                line[i] = (line[i] + predictor) & 0xFF
        rows.append(line)
        previous = line
    return width, height, channels, rows


def main():
    raswarden, logs, work = sys.argv[1], sys.argv[2], sys.argv[3]
    keep = sys.argv[4] if len(sys.argv) > 4 else None
    os.makedirs(work, exist_ok=True)
    html = os.path.join(work, "report.html")
    png = os.path.join(work, "report.png")
    for stale in (html, png):
        if os.path.exists(stale):
            os.remove(stale)
    subprocess.run([raswarden, "report", logs, "--utc", "--html", html], check=True)
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        print("chromium is not installed (scripts/install-deps.sh installs it)")
        return 1
    profile = os.path.join(work, "chromium-profile")
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    f"--user-data-dir={profile}", f"--screenshot={png}", f"--window-size={WIDTH},{HEIGHT}",
                    "file://" + os.path.abspath(html)],
                   check=True, timeout=60, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    width, height, channels, rows = decode_png(open(png, "rb").read())
    hits, columns = 0, set()
    for y, line in enumerate(rows):
        for x in range(width):
            pixel = tuple(line[x * channels:x * channels + 3])
            if pixel == STROKE:
                hits += 1
                columns.add(x)
    spread = (max(columns) - min(columns)) if columns else 0
    print(f"{png}: {width}x{height}, {hits} pixels of the chart's stroke colour across {spread} px")
    if keep:
        shutil.copyfile(png, keep)
    # The line runs the width of the 1000 px chart and steps up and down: a few hundred pixels at
    # least. An empty page, a page without the SVG, or a chart that failed to draw has none.
    if hits < 500 or spread < 600:
        print("FAIL: the concurrent-sessions chart is not drawn")
        return 1
    print("OK: the concurrent-sessions chart is drawn")
    return 0


if __name__ == "__main__":
    sys.exit(main())
