#!/bin/sh
# make demo: a short tour of what herd can do on this machine today.
# Each step prints the command it runs, then its output.
BUILD=${1:-build}
HERD="$BUILD/herd"
step() { printf '\n$ %s\n' "$*"; "$@"; }
step "$HERD" --version
step "$HERD" build-options
step "$HERD" error 0 7 NOT_CONFIGURED
step env PYTHONPATH="$BUILD/python" /usr/bin/python3 -c \
  'from herd import BuildOptions, ExitStatus; print(ExitStatus.NOT_RUNNING, BuildOptions.OCF_ROOT_DIR)'
for extra in scripts/demo.d/*.sh; do
  [ -f "$extra" ] && . "$extra"
done
exit 0
