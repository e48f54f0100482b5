"""Every fourth corpus case through the ASan/UBSan/LSan build: the
scheduler must neither crash nor leak on real-world CIBs."""
import concurrent.futures as cf
import glob
import os

from conftest import run_herd


def test_corpus_sample_under_sanitizers(shared):
    files = sorted(glob.glob(os.path.join(shared, "scheduler-corpus", "xml", "*.xml")))[::4]

    def one(path):
        proc = run_herd("simulate", "-x", path, "-S", timeout=120)
        return path, proc.returncode, proc.stderr[-1500:]

    with cf.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        bad = [r for r in pool.map(one, files) if r[1] != 0]
    assert not bad, bad[:3]
