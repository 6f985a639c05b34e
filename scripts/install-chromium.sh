#!/usr/bin/env bash
# chromium from Debian's packages when it is missing: scripts/check-report.sh opens the report in
# it, headless, at 1280 x 900. .ci/run installs it beside the tests, where apt's minute costs the
# run nothing, rather than in the report's stage.
set -euo pipefail
command -v chromium >/dev/null && exit 0
sudo=""
[ "$(id -u)" = 0 ] || sudo=sudo
echo "install-chromium: installing chromium"
$sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
