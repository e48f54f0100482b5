#!/usr/bin/env python3
"""embed.py IN OUT SYMBOL: write a C file defining `const char SYMBOL[]`
(the bytes of IN, NUL-terminated) and `const unsigned SYMBOL_len`, so the
schema is part of the binary and herd works from the build tree."""
import sys

src, out, sym = sys.argv[1:4]
data = open(src, "rb").read()
with open(out, "w") as f:
    f.write(f"/* generated from {src.split('/')[-1]} by data/embed.py: do not edit */\n")
    f.write(f"const char {sym}[] = {{\n")
    for i in range(0, len(data), 16):
        f.write("    " + ", ".join(str(b) for b in data[i:i + 16]) + ",\n")
    f.write("    0\n};\n")
    f.write(f"const unsigned {sym}_len = {len(data)};\n")
