#!/usr/bin/env bash
# Installs the Debian packages floe's build and tools need. Idempotent: only missing packages are installed,
# so a second run costs one dpkg query. Used by `make demo`, `make test` and CI; never install these by hand.
set -euo pipefail

# What the build needs (see ARCHITECTURE.md, "Dependencies").
BUILD_PKGS=(
  g++ cmake ninja-build ccache pkg-config
  libboost1.81-dev libcli11-dev libspdlog-dev libfmt-dev libtomlplusplus-dev
  nlohmann-json3-dev libsimdjson-dev librdkafka-dev
  libzstd-dev liblz4-dev libsnappy-dev zlib1g-dev libssl-dev libcurl4-openssl-dev libsqlite3-dev
  libgtest-dev libgmock-dev libbenchmark-dev
)
# What the tests and tools need on top: real peers from Debian, the formatter, the fuzzing compiler.
TEST_PKGS=(
  kcat clang clang-format clang-tidy libclang-rt-14-dev
  default-jdk-headless maven python3 python3-venv nodejs npm procps
)

want=("${BUILD_PKGS[@]}")
if [[ "${1:-}" == "--with-tests" ]]; then
  want+=("${TEST_PKGS[@]}")
fi

missing=()
for p in "${want[@]}"; do
  # Tools that the machine already has from elsewhere (pyenv python, a JDK, node) count as present.
  case "$p" in
    python3|python3-venv) command -v python3 >/dev/null && python3 -c 'import venv, ensurepip' 2>/dev/null && continue ;;
    default-jdk-headless) command -v javac >/dev/null && continue ;;
    maven) command -v mvn >/dev/null && continue ;;
    nodejs|npm) command -v node >/dev/null && command -v npm >/dev/null && continue ;;
  esac
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  echo "setup-system: all ${#want[@]} Debian packages present"
  exit 0
fi

echo "setup-system: installing ${missing[*]}"
SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
