#!/usr/bin/env python3
"""Rewrite a candour ledger with every release listed in full.

    tests/ledger_full.py IN OUT

A release written since changes releases lists only what changed since the
release before (F, H), and X for what it no longer has; an older one
lists every figure.  This script plays the file forward (each release's
figures, in the order a run recorded them: those of the release before
that it kept, in their order, then the new ones) and writes each release
whole, as candour wrote them before (an R line without "changes", no X),
with every line's CRC-32 and each release's count and CRC-32 made again.
candour must reach the same decisions from either file: the end-to-end
case stats/ledger-changes runs each step of a history on both.  It checks
each line's CRC and each release's count and CRC as it reads (exit 1)."""
import sys
import zlib


def crc(text):
    return "%08x" % (zlib.crc32(text.encode("utf-8", "surrogateescape")) & 0xFFFFFFFF)


def main():
    src, dst = sys.argv[1], sys.argv[2]
    with open(src, encoding="utf-8", errors="surrogateescape", newline="\n") as f:
        lines = f.read().split("\n")
    assert lines[0] == "candour-ledger 1" and lines[-1] == "", "not a ledger"
    state = []  # (key, record fields after the key), in order; a key may repeat
    out = [lines[0]]
    release = None
    for no, line in enumerate(lines[1:-1], start=2):
        body, _, check = line.rpartition("\t")
        if crc(body) != check:
            sys.exit("%s:%d: checksum" % (src, no))
        fields = body.split("\t")
        kind = fields[0]
        if kind == "R":
            release = {"head": fields[:4], "changes": fields[4:] == ["changes"],
                       "records": [], "text": line + "\n"}
            continue
        if kind != "E":
            release["records"].append((kind, "\t".join(fields[1:8]), fields[8:]))
            release["text"] += line + "\n"
            continue
        if int(fields[2]) != len(release["records"]) or crc(release["text"]) != fields[3]:
            sys.exit("%s:%d: release does not match its end line" % (src, no))
        if release["changes"]:
            listed = {}
            for kind_, key, rest in release["records"]:
                listed.setdefault(key, []).append((kind_, rest))
            kept, done = [], set()
            for key, rec in state:  # the release before's, in order
                if key not in listed:
                    kept.append((key, rec))
                elif key not in done:  # listed: its records, in their order
                    done.add(key)
                    kept.extend((key, r) for r in listed[key] if r[0] != "X")
            for key, recs in listed.items():  # new keys, in the release's order
                if key not in done and not any(k == key for k, _ in state):
                    kept.extend((key, r) for r in recs if r[0] != "X")
            state = kept
        else:
            state = [(key, (kind_, rest)) for kind_, key, rest in release["records"]]
        text = ""
        for body_ in ["\t".join(release["head"])] + [
                "\t".join([k, key] + rest) for key, (k, rest) in state]:
            text += body_ + "\t" + crc(body_) + "\n"
        end = "E\t%s\t%d\t%s" % (fields[1], len(state), crc(text))
        out.append(text + end + "\t" + crc(end))
    with open(dst, "w", encoding="utf-8", errors="surrogateescape", newline="\n") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
