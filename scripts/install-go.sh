#!/usr/bin/env bash
# Installs a Go toolchain for the Go twin (scenarios/go-twin): Debian's golang-go (Go 1.19 on
# bookworm), which needs nothing beyond the distribution. Does nothing when `go` is already on
# PATH. The twin uses the standard library only, so no module download follows.
set -euo pipefail
if command -v go >/dev/null 2>&1; then
    echo "install-go: $(go version) already on PATH"
    exit 0
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then
    SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq golang-go >/dev/null
echo "install-go: $(go version)"
