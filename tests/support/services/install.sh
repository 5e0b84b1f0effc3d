#!/usr/bin/env bash
# Installs the servers that tests start on their own ports (redis-server), once, on Debian or Ubuntu.
set -euo pipefail

command -v redis-server >/dev/null && exit 0

if ! command -v apt-get >/dev/null; then
    echo "tests need redis-server on PATH; install it with your package manager" >&2
    exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
    sudo="sudo"
fi

# Tests start their own servers; the package's system service would hold port 6379 for nothing.
# A policy-rc.d that answers 101 keeps apt from starting it (Docker images often ship one).
policy=/usr/sbin/policy-rc.d
own_policy=""
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
    $sudo chmod 755 "$policy"
    own_policy="yes"
fi
trap '[ -z "$own_policy" ] || $sudo rm -f "$policy"' EXIT

$sudo apt-get update -qq
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
if [ -d /run/systemd/system ]; then
    $sudo systemctl disable --now redis-server.service >/dev/null 2>&1 || true
fi
