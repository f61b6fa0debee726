#!/usr/bin/env bash
# Configures (once) and builds one flavour of floe with CMake + Ninja + ccache.
#   scripts/build.sh release   -> build/       (Release; the binary is build/floe)
#   scripts/build.sh asan      -> build-asan/  (Debug with AddressSanitizer + UndefinedBehaviorSanitizer)
set -euo pipefail
cd "$(dirname "$0")/.."
flavour="${1:-release}"
case "$flavour" in
  release) dir=build; flags=(-DCMAKE_BUILD_TYPE=Release) ;;
  asan) dir=build-asan; flags=(-DCMAKE_BUILD_TYPE=Debug -DFLOE_SANITIZE=ON -DFLOE_BUILD_BENCH=OFF) ;;
  *) echo "usage: $0 release|asan" >&2; exit 2 ;;
esac
export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/floe/ccache}"
export CCACHE_MAXSIZE="${CCACHE_MAXSIZE:-5G}"
# Paths relative to the checkout, so a fresh clone elsewhere (as CI makes) hits the cache even for -g builds.
export CCACHE_BASEDIR="$PWD"
export CCACHE_NOHASHDIR=1
# Precompiled headers and ccache agree only with these settings (ccache docs, "Precompiled headers").
export CCACHE_SLOPPINESS="pch_defines,time_macros,include_file_mtime,include_file_ctime"
if [[ ! -f "$dir/build.ninja" ]]; then
  cmake -S . -B "$dir" -G Ninja "${flags[@]}" ${CMAKE_FLAGS:-}
fi
# Half the cores' worth of jobs plus one keeps 2-core machines responsive while Asio headers compile.
cmake --build "$dir" -j "${JOBS:-$(nproc)}"
