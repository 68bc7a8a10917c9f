#!/usr/bin/env python3
"""Check charts written by candour-report (used by the charts-* cases).

    check_charts.py DIR STEM[=WxH] ... [--text STEM TEXT]...

For every STEM: DIR/STEM.png is a PNG (signature, IHDR the first chunk, its
CRC right) whose size is WxH when given; DIR/STEM.svg is well-formed XML
whose root is an <svg> element with the same width and height as the PNG
(both are drawn from one `size W,H`).  --text STEM TEXT: TEXT is one of the
texts of STEM.svg, or a part of one (labels are compared as drawn, so a
newline in a name must appear as the two characters backslash and n).
Standard library only; exit 1 with a message on the first failure."""
import struct
import sys
import xml.etree.ElementTree as ET
import zlib

SVG_NS = "{http://www.w3.org/2000/svg}"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def fail(message):
    sys.stderr.write("check_charts: %s\n" % message)
    sys.exit(1)


def png_size(path):
    with open(path, "rb") as f:
        head = f.read(33)
    if head[:8] != PNG_SIGNATURE:
        fail("%s: not a PNG (signature %r)" % (path, head[:8]))
    length, kind = struct.unpack(">I4s", head[8:16])
    if kind != b"IHDR" or length != 13:
        fail("%s: first chunk is %r of %d bytes, not IHDR" % (path, kind, length))
    (crc,) = struct.unpack(">I", head[29:33])
    if zlib.crc32(head[12:29]) != crc:
        fail("%s: IHDR CRC mismatch" % path)
    return struct.unpack(">II", head[16:24])


def svg_texts(path):
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as e:
        fail("%s: not well-formed XML: %s" % (path, e))
    if root.tag != SVG_NS + "svg":
        fail("%s: root element is %s, not svg" % (path, root.tag))
    try:
        size = (int(root.attrib["width"]), int(root.attrib["height"]))
    except (KeyError, ValueError):
        fail("%s: svg element without a whole width and height" % path)
    texts = ["".join(t.itertext()) for t in root.iter(SVG_NS + "text")]
    return size, texts


def main(argv):
    stems, wanted_text = [], []
    i = 1
    while i < len(argv):
        if argv[i] == "--text":
            wanted_text.append((argv[i + 1], argv[i + 2]))
            i += 3
        else:
            stems.append(argv[i])
            i += 1
    directory, stems = stems[0], stems[1:]
    texts = {}
    for spec in stems:
        stem, _, size = spec.partition("=")
        png = png_size("%s/%s.png" % (directory, stem))
        if size:
            w, h = (int(v) for v in size.split("x"))
            if png != (w, h):
                fail("%s.png: %dx%d, expected %dx%d" % (stem, png[0], png[1], w, h))
        svg, texts[stem] = svg_texts("%s/%s.svg" % (directory, stem))
        if svg != png:
            fail("%s: svg %dx%d but png %dx%d" % (stem, svg[0], svg[1], png[0], png[1]))
    for stem, text in wanted_text:
        if stem not in texts:
            _, texts[stem] = svg_texts("%s/%s.svg" % (directory, stem))
        if not any(text in t for t in texts[stem]):
            fail("%s.svg: no text contains %r; texts: %r" % (stem, text, texts[stem][:60]))


if __name__ == "__main__":
    main(sys.argv)
