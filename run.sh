#!/usr/bin/env bash
# Installs missing Debian packages, builds Release into ./build, then runs the main job: a
# short real tuning run on ./htune.db and the comparison table. Steps that do not exist yet
# in this version of htune are said so and skipped.
set -euo pipefail
cd "$(dirname "$0")"
source ./deps.sh
htune_install_deps
htune_build
H=build/htune
has() { $H --help | grep -q "^  $1 "; }

echo "== htune ops"
$H ops
if has tune; then
  echo "== htune tune (short real run on ./htune.db)"
  $H tune --op matmul -p M=256 -p N=256 -p K=256 --op blur3x3 --trials 48 --db htune.db
else
  echo "== htune tune: not implemented in this version yet (skipped)"
fi
if has compare; then
  echo "== htune compare"
  $H compare --op matmul -p M=256 -p N=256 -p K=256 --db htune.db
elif has sample; then
  echo "== htune compare: not implemented yet; sampling the schedule space instead"
  $H sample --op blur3x3 --test-size --count 16 --seed 1
else
  echo "== htune compare: not implemented in this version yet (skipped)"
  $H ops --describe matmul
fi
