#!/usr/bin/env python3
"""Inputs past candour's caps for the tests/cases/limits cases, made at test
time (never committed).

  limits.py make KIND FILE   write one input:
      field      a header, then a row whose last field is 100 MB (quoted)
      columns    a header of 1,000,000 columns (all named 'c')
      line       a header, then a 100 MB line of 200 fields of 500 KB with
                 no newline anywhere
      bomb       a 4 MB gzip file that inflates to 4 GiB: a header and a
                 row, then blank lines (512 concatenated gzip members of
                 8 MiB of newlines, each compressed about 1030 times)
"""
import sys
import zlib

MB = 1000 * 1000
MiB = 1 << 20
HEADER = (b"year,trust_code,trust_name,bench_group,respondent_id,directorate,team,"
          b"q19a,q19b,q19c,q19d,q20a,q20b,q25e,q25f,q14a,q14b,q14c,q15,q16a,q16b,"
          b"q28,gender,disability,occupation,age_band,comments\n")
ROW_START = b"2023,RXX1,Trust A,Acute,R001,Medicine,Ward 1,4,5,4,3,4,4,5,4,1,1,2,1,2,2,01,2,2,1,3,"


def write_repeated(f, byte, total):
    block = byte * MiB
    while total > 0:
        n = min(total, len(block))
        f.write(block[:n])
        total -= n


def make(kind, path):
    with open(path, "wb") as f:
        if kind == "field":
            f.write(HEADER + ROW_START + b'"')
            write_repeated(f, b"a", 100 * MB)
            f.write(b'"\n')
        elif kind == "columns":
            f.write(b"c," * 999999 + b"c\n")
        elif kind == "line":
            f.write(HEADER)
            field = b"a" * (500 * 1000)
            for i in range(200):
                f.write(b"," + field if i else field)
        elif kind == "bomb":
            first = zlib.compressobj(9, zlib.DEFLATED, 31)
            f.write(first.compress(HEADER + ROW_START + b"\n") + first.flush())
            member = zlib.compressobj(9, zlib.DEFLATED, 31)
            blank = member.compress(b"\n" * (8 * MiB)) + member.flush()
            for _ in range(512):
                f.write(blank)
        else:
            sys.exit("limits.py: unknown kind '%s'" % kind)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "make":
        make(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
