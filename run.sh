#!/usr/bin/env bash
# Installs missing Debian packages, builds Release into ./build, then runs the main job on the
# default database ./htune.db: a short `htune tune` of a matmul and a blur at test size (about
# 2-3 minutes on 2 cores; run it again and it resumes: nothing is measured twice, only the
# final confirmation), then `htune compare` of the same workloads. Where a command is missing
# (an older build) it falls back to `htune sample` + `htune best`.
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
  $H tune --op matmul --op blur3x3 --test-size --trials 48 --db htune.db
else
  echo "== htune tune: not implemented yet; sampling + measuring schedules into ./htune.db instead"
  $H sample --op matmul -p M=512 -p N=512 -p K=512 --count 16 --seed 1 --db htune.db
  $H sample --op blur3x3 -p W=1536 -p H=1024 --count 16 --seed 1 --db htune.db
fi
if has compare; then
  echo "== htune compare"
  $H compare --op matmul --op blur3x3 --test-size --db htune.db
else
  echo "== htune compare: not implemented yet; the best stored schedules instead"
  $H best --op matmul -p M=512 -p N=512 -p K=512 --db htune.db
  $H best --op blur3x3 -p W=1536 -p H=1024 --db htune.db
  $H devices --db htune.db
fi
