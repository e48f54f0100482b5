#!/usr/bin/env python3
"""Shrink a CIB on which herd and crm_simulate disagree, keeping the
disagreement: greedy delta debugging over XML elements (whole subtrees
first, then their children) and then attributes, until no single removal
keeps it.

  minimise.py IN.xml OUT.xml [--herd 'build/herd simulate'] [--same-first]

With --same-first the first differing summary line (oracle's side) must
stay the same shape, so the search does not drift to another disagreement.
"""
import argparse
import os
import re
import sys
import tempfile
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from fuzzdiff import compare  # noqa: E402

KEEP = {"cib", "configuration", "status", "crm_config", "nodes", "resources", "constraints"}
KEEP_ATTRS = {"id", "uname", "name", "value", "class", "type", "provider", "operation",
              "rc-code", "call-id", "interval", "rsc", "with-rsc", "first", "then",
              "operation_key", "validate-with", "execution-date", "interval"}


def shape(line):
    return re.sub(r"[\w:.-]+", "X", line or "")


class Shrinker:
    def __init__(self, herd, same_first):
        self.herd = herd
        self.same_first = same_first
        self.want_shape = None
        self.tries = 0

    def first_diff(self, want, got):
        for w, h in zip(want, got):
            if w != h:
                return w
        return "len"

    def bad(self, root):
        self.tries += 1
        with tempfile.NamedTemporaryFile("wb", suffix=".xml", prefix="fuzzdiff-min-",
                                         delete=False) as f:
            f.write(ET.tostring(root))
            path = f.name
        try:
            verdict, want, got = compare(self.herd, path)
        finally:
            os.unlink(path)
        if verdict not in ("differ", "herd-fails"):
            return False
        if self.same_first and verdict == "differ":
            s = shape(self.first_diff(want, got))
            if self.want_shape is None:
                self.want_shape = s
            return s == self.want_shape
        return True

    def shrink(self, root):
        assert self.bad(root), "the input does not show a disagreement"
        changed = True
        while changed:
            changed = False
            # elements, pre-order, whole subtrees first
            stack = [root]
            while stack:
                parent = stack.pop()
                for child in list(parent):
                    if child.tag in ("lrm_rsc_op", "op", "operations"):
                        continue        # histories stay plausible: whole resources only
                    if child.tag in KEEP:
                        stack.append(child)
                        continue
                    idx = list(parent).index(child)
                    parent.remove(child)
                    if self.bad(root):
                        changed = True
                        continue
                    parent.insert(idx, child)
                    stack.append(child)
            # attributes
            status = root.find("status")
            in_status = set(status.iter()) if status is not None else set()
            for el in root.iter():
                if el in in_status:
                    continue
                for a in list(el.attrib):
                    if a in KEEP_ATTRS:
                        continue
                    v = el.attrib.pop(a)
                    if self.bad(root):
                        changed = True
                    else:
                        el.attrib[a] = v
        return root


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("input")
    ap.add_argument("output")
    ap.add_argument("--herd", default="build/herd simulate")
    ap.add_argument("--same-first", action="store_true")
    a = ap.parse_args()
    root = ET.parse(a.input).getroot()
    s = Shrinker(a.herd, a.same_first)
    s.shrink(root)
    ET.indent(root)
    with open(a.output, "wb") as f:
        f.write(ET.tostring(root))
        f.write(b"\n")
    print(f"{a.output}: {len(list(root.iter()))} elements after {s.tries} tries")
    return 0


if __name__ == "__main__":
    sys.exit(main())
