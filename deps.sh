#!/usr/bin/env bash
# Installs the Debian packages htune needs, only when some are missing. Sourced by run.sh
# and test.sh; `./deps.sh` alone also works. Extra packages can be passed as arguments.
set -euo pipefail

htune_install_deps() {
  # ocl-icd-opencl-dev: Debian's dnnl-config.cmake does find_package(OpenCL REQUIRED) (its GPU
  # runtime is OCL), and apt's --no-install-recommends leaves the OpenCL headers out.
  local pkgs=(libhalide14-0-dev libxgboost-dev xgboost libsqlite3-dev libtbb-dev
              libboost-program-options-dev nlohmann-json3-dev libgtest-dev cmake g++ make
              libopenblas-dev libdnnl-dev ocl-icd-opencl-dev libopenmpi-dev openmpi-bin "$@")
  local missing=()
  for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "htune: installing missing Debian packages: ${missing[*]}"
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null; then sudo="sudo"; else
      echo "htune: error: missing packages (${missing[*]}) and not root: install them with apt-get" >&2
      return 1
    fi
  fi
  if ! { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >/tmp/htune-apt.log 2>&1; then
    echo "htune: error: apt-get could not install: ${missing[*]} (log: /tmp/htune-apt.log)" >&2
    tail -5 /tmp/htune-apt.log >&2
    return 1
  fi
}

htune_build() {
  local dir=${HTUNE_BUILD_DIR:-build}
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$dir" -j "$(nproc)"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  cd "$(dirname "$0")"
  htune_install_deps "$@"
fi
