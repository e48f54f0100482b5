"""A bounded fuzz run of the CIB parser (and the scheduler behind it) on
the ASan/UBSan build: mutated corpus CIBs must give a clean error or a
result, never a crash or a sanitizer report."""
import glob
import os
import random
import time

from conftest import run_herd

BUDGET_SECONDS = 20
OK_CODES = {0, 65, 66, 78}


def mutate(rng, data):
    data = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        kind = rng.randrange(5)
        pos = rng.randrange(len(data)) if data else 0
        if kind == 0:                       # truncate
            del data[pos:]
        elif kind == 1 and data:            # flip a byte
            data[pos] = rng.randrange(256)
        elif kind == 2:                     # duplicate a slice
            end = min(len(data), pos + rng.randint(1, 200))
            data[pos:pos] = data[pos:end]
        elif kind == 3 and data:            # delete a slice
            del data[pos:pos + rng.randint(1, 50)]
        else:                               # swap an attribute value
            data[pos:pos] = rng.choice([b'"-INFINITY"', b'"x"', b' id="dup"', b"<bogus/>",
                                        b'score="NaN"', b"</", b"&amp;"])
    return bytes(data)


def test_fuzz_cib_parser(shared, tmp_path):
    rng = random.Random(20261125)
    files = sorted(glob.glob(os.path.join(shared, "scheduler-corpus", "xml", "*.xml")))
    files = [f for f in files if os.path.getsize(f) < 60000]
    deadline = time.monotonic() + BUDGET_SECONDS
    runs = 0
    path = tmp_path / "fuzz.xml"
    while time.monotonic() < deadline:
        src = rng.choice(files)
        with open(src, "rb") as f:
            data = mutate(rng, f.read())
        path.write_bytes(data)
        proc = run_herd("simulate", "-x", str(path), "-S", timeout=60, errors="replace")
        assert proc.returncode in OK_CODES, (src, proc.returncode, proc.stderr[-2000:])
        assert "Sanitizer" not in proc.stderr and "runtime error" not in proc.stderr, proc.stderr
        if proc.returncode:
            assert str(path) in proc.stderr
        runs += 1
    assert runs > 0
    print(f"{runs} fuzzed CIBs")
