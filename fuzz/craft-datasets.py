#!/usr/bin/env python3
"""Seeds for fuzz_dataset that byte mutation cannot reach.

    fuzz/craft-datasets.py DATASET OUT_DIR

Every chunk of a dataset is a zlib stream with an Adler-32 inside and a
CRC-32 outside; the fuzz target recomputes the CRC-32s, but a mutated zlib
stream still almost never inflates.  So the checks that sit behind a good
inflate are given inputs here, built from DATASET (written by candour-ingest)
with every length, offset and checksum made consistent again
(docs/dataset-format.md):

  OUT_DIR/crafted-code-outside-dictionary.cds  a string code = dictionary size
  OUT_DIR/crafted-answer-outside-scale.cds     an answer byte past its scale
  OUT_DIR/crafted-short-chunk.cds              a chunk inflating one row short
"""
import struct
import sys
import zlib

HEADER_SIZE, TRAILER_SIZE = 16, 24
U8, STR = 1, 2
TYPE_SIZE = {1: 1, 2: 4, 3: 8, 4: 8}


class Cursor:
    def __init__(self, data):
        self.data, self.pos = data, 0

    def take(self, fmt):
        value = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return value[0]

    def str(self):
        n = self.take("I")
        s = self.data[self.pos:self.pos + n]
        self.pos += n
        return s


def put_str(s):
    return struct.pack("<I", len(s)) + s


def load(path):
    data = open(path, "rb").read()
    meta_offset, meta_len, _, magic = struct.unpack_from("<QII8s", data, len(data) - TRAILER_SIZE)
    assert magic == b"CNDREND\x1a"
    c = Cursor(data[meta_offset:meta_offset + meta_len])
    ds = {"header": data[:HEADER_SIZE]}
    ds["version"], ds["kind"], ds["schema_crc"] = c.take("I"), c.take("I"), c.take("I")
    ds["schema_name"], ds["schema_text"], ds["created_by"] = c.str(), c.str(), c.str()
    ds["total_rows"] = c.take("Q")
    ds["inputs"] = [(c.str(), c.take("Q"), c.take("I"), c.take("Q"), c.take("Q"))
                    for _ in range(c.take("I"))]
    ds["columns"] = []
    for _ in range(c.take("I")):
        name, role, type_ = c.str(), c.take("B"), c.take("B")
        strings = [c.str() for _ in range(c.take("I"))]
        ds["columns"].append([name, role, type_, strings])
    ds["blocks"] = []
    for _ in range(c.take("I")):
        n_rows = c.take("I")
        raws = []
        for _ in ds["columns"]:
            offset, comp_len, raw_len, _crc = c.take("Q"), c.take("I"), c.take("I"), c.take("I")
            raw = zlib.decompress(data[offset:offset + comp_len])
            assert len(raw) == raw_len
            raws.append(bytearray(raw))
        ds["blocks"].append([n_rows, raws])
    ds["rejected"] = []
    if ds["version"] >= 2:  # rows rejected per input, period and org
        ds["rejected"] = [(c.take("I"), c.str(), c.str(), c.take("Q"))
                          for _ in range(c.take("I"))]
    assert c.pos == meta_len
    return ds


def save(ds, path):
    out = bytearray(ds["header"])
    directory = struct.pack("<I", len(ds["blocks"]))
    for n_rows, raws in ds["blocks"]:
        directory += struct.pack("<I", n_rows)
        for col, raw in zip(ds["columns"], raws):
            comp = zlib.compress(bytes(raw), 1)
            raw_len = n_rows * TYPE_SIZE[col[2]]  # what the chunk should hold
            directory += struct.pack("<QIII", len(out), len(comp), raw_len, zlib.crc32(comp))
            out += comp
    meta = struct.pack("<III", ds["version"], ds["kind"], zlib.crc32(ds["schema_text"]))
    meta += put_str(ds["schema_name"]) + put_str(ds["schema_text"]) + put_str(ds["created_by"])
    meta += struct.pack("<QI", ds["total_rows"], len(ds["inputs"]))
    for name, size, crc, read, accepted in ds["inputs"]:
        meta += put_str(name) + struct.pack("<QIQQ", size, crc, read, accepted)
    meta += struct.pack("<I", len(ds["columns"]))
    for name, role, type_, strings in ds["columns"]:
        meta += put_str(name) + struct.pack("<BBI", role, type_, len(strings))
        meta += b"".join(put_str(s) for s in strings)
    meta += directory
    if ds["version"] >= 2:
        meta += struct.pack("<I", len(ds["rejected"]))
        for input_, period, org, rows in ds["rejected"]:
            meta += struct.pack("<I", input_) + put_str(period) + put_str(org)
            meta += struct.pack("<Q", rows)
    trailer = struct.pack("<QII8s", len(out), len(meta), zlib.crc32(meta), b"CNDREND\x1a")
    open(path, "wb").write(bytes(out + meta + trailer))


def first_column(ds, type_):
    return next(i for i, col in enumerate(ds["columns"]) if col[2] == type_)


def main():
    source, out_dir = sys.argv[1], sys.argv[2]

    ds = load(source)
    col = first_column(ds, STR)
    struct.pack_into("<I", ds["blocks"][0][1][col], 0, len(ds["columns"][col][3]))
    save(ds, out_dir + "/crafted-code-outside-dictionary.cds")

    ds = load(source)
    col = first_column(ds, U8)
    ds["blocks"][0][1][col][0] = 250
    save(ds, out_dir + "/crafted-answer-outside-scale.cds")

    ds = load(source)
    raw = ds["blocks"][0][1][0]
    del raw[-TYPE_SIZE[ds["columns"][0][2]]:]
    save(ds, out_dir + "/crafted-short-chunk.cds")


if __name__ == "__main__":
    main()
