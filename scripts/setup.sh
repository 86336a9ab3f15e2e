#!/usr/bin/env bash
# Installs what the tests need on a fresh Debian/Ubuntu machine: Chromium (the browser the
# end-to-end tests drive; no browser download needed), ffmpeg (ffprobe checks outputs and
# native ffmpeg is the benchmark's baseline), unzip, then the npm packages.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v ffprobe >/dev/null 2>&1 || need+=(ffmpeg)
command -v unzip >/dev/null 2>&1 || need+=(unzip)
if [ ! -x /usr/bin/chromium ] && [ -z "${FFBATCH_CHROMIUM:-}" ]; then need+=(chromium); fi

if [ ${#need[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null 2>&1; then
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    echo "setup: installing ${need[*]} with apt-get"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "setup: please install ${need[*]} with your package manager (or set FFBATCH_CHROMIUM to a Chromium binary)" >&2
  fi
fi

npm ci --no-audit --no-fund
