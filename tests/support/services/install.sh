#!/usr/bin/env bash
# Installs what tests start on their own ports (redis-server, virtuoso-t, rclone) and wrk, once, on Debian or Ubuntu.
set -euo pipefail

packages=""
command -v redis-server >/dev/null || packages="$packages redis-server"
command -v virtuoso-t >/dev/null || packages="$packages virtuoso-opensource"
# wrk drives the gateway benchmark's smoke test (tests/bench).
command -v wrk >/dev/null || packages="$packages wrk"
# Debian's Chromium runs the web front end's browser tests (tests/ui).
command -v chromium >/dev/null || packages="$packages chromium"
# bwrap sandboxes local sessions (the sessions subgraph's default).
command -v bwrap >/dev/null || packages="$packages bubblewrap"
# rclone: the storage subgraph's storage types, and the WebDAV server its tests start.
command -v rclone >/dev/null || packages="$packages rclone"
# fuse3: sessions mount data connectors with `rclone mount` where FUSE works (else they copy).
command -v fusermount3 >/dev/null || packages="$packages fuse3"
[ -n "$packages" ] || exit 0

if ! command -v apt-get >/dev/null; then
    echo "tests need$packages on PATH; install them with your package manager" >&2
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
# virtuoso-opensource asks for a DBA password; the tests start their own server, which keeps dba/dba.
for question in dba-password dba-password-again; do
    echo "virtuoso-opensource-7 virtuoso-opensource-7/$question password dba" | $sudo debconf-set-selections
done
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $packages >/dev/null
if [ -d /run/systemd/system ]; then
    $sudo systemctl disable --now redis-server.service virtuoso-opensource-7.service >/dev/null 2>&1 || true
fi
