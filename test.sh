#!/usr/bin/env bash
# Installs missing Debian packages, builds Release into ./build and runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")"
source ./deps.sh
htune_install_deps chromium
htune_build
cd build
ctest --output-on-failure -j "$(nproc)" --timeout 900
