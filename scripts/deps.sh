#!/bin/sh
# Install what herd needs to build and test, from Debian's packages.
# Quiet and quick when everything is already there.
#   deps.sh build   - compiler, meson, libraries
#   deps.sh test    - the above, plus test tools and the agents/oracle used by tests
set -e
want="gcc pkg-config meson ninja-build libglib2.0-dev libjson-glib-dev libxml2-dev libxml2-utils
      libcpg-dev libquorum-dev libcmap-dev libcorosync-common-dev python3"
if [ "${1:-build}" = test ]; then
  want="$want clang libclang-rt-14-dev libcmocka-dev python3-pytest pacemaker-cli-utils resource-agents
        pacemaker-resource-agents fence-agents corosync iproute2 procps"
fi
missing=""
for p in $want; do
  dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "herd needs these Debian packages:$missing" >&2
  echo "run 'sudo apt-get install$missing' (or run make as root)" >&2
  exit 1
fi
echo "installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
