#!/usr/bin/env python3
"""Write NAME.summary for every NAME.xml here from the oracle (crm_simulate,
Debian's pacemaker-cli-utils 2.1.5): the "Transition Summary:" section of
`crm_simulate -x NAME.xml -S`, as printed.  Run by hand when adding a case;
the tests only read the .summary files.

  python3 tests/scheduler/cases/regen.py [NAME.xml ...]
"""
import glob
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def section(text):
    lines = text.splitlines()
    i = lines.index("Transition Summary:")
    out = [lines[i]]
    for line in lines[i + 1:]:
        if line and not line.startswith(" "):
            break
        if line.strip():
            out.append(line)
    return "\n".join(out) + "\n"


def main(argv):
    files = argv or sorted(glob.glob(os.path.join(HERE, "*.xml")))
    for f in files:
        # crm_simulate 2.1.5 aborts while simulating the execution of some
        # bundle IP address actions, after it has printed the summary: the
        # summary is what counts, so its exit status is not checked
        out = subprocess.run(["crm_simulate", "-x", f, "-S"], capture_output=True, text=True,
                             check=False).stdout
        with open(f[:-4] + ".summary", "w") as o:
            o.write(section(out))
        print(f"{os.path.basename(f)[:-4]}.summary written")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
