#!/usr/bin/env bash
# valgrind from Debian's packages when it is missing: iai-callgrind's bench and the sweep's
# instructions pass (`spanalloc run --instructions`) both run under callgrind.
set -euo pipefail
command -v valgrind >/dev/null && exit 0
sudo=""
[ "$(id -u)" = 0 ] || sudo=sudo
$sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind
