#!/usr/bin/env bash
# Installs the load generator of the gateway benchmark (wrk), once, on Debian or Ubuntu.
set -euo pipefail

command -v wrk >/dev/null && exit 0

if ! command -v apt-get >/dev/null; then
    echo "the benchmark needs wrk on PATH; install it with your package manager" >&2
    exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
    sudo="sudo"
fi
$sudo apt-get update -qq
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
