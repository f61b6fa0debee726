#!/usr/bin/env bash
# Installs the real peers that interop tests and benchmarks run against (PEERS.md): the Python venv, the Flink
# venv, the Maven peers' jars, the npm peers. Idempotent and cheap when nothing changed: each install is keyed by the
# hash of the file that pins it, and the heavy parts (wheels, ~/.m2, npm cache) live in caches outside the clone.
set -euo pipefail
cd "$(dirname "$0")/.."
CACHE="${FLOE_CACHE:-$HOME/.cache/floe}"
mkdir -p "$CACHE"

hash_of() { cat "$@" | sha256sum | cut -c1-16; }

# --- Python: one venv per requirements hash, linked as .venv ---
py_key=$(hash_of tests/requirements.txt <(python3 --version 2>&1))
venv="$CACHE/venv-$py_key"
if [[ ! -f "$venv/.complete" ]]; then
  echo "setup-peers: creating Python venv $venv"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --upgrade pip
  "$venv/bin/pip" install -q --cache-dir "$CACHE/pip" -r tests/requirements.txt
  touch "$venv/.complete"
fi
ln -sfn "$venv" .venv

# --- Apache Flink (PyFlink): its own venv, linked as .venv-flink, since its pins (pyarrow<21, pandas<2.3,
# apache-beam<=2.61) clash with the test venv's. Same keying; its Kafka SQL connector jar is a Maven peer below. ---
flink_key=$(hash_of tests/requirements-flink.txt <(python3 --version 2>&1))
flink_venv="$CACHE/venv-flink-$flink_key"
if [[ ! -f "$flink_venv/.complete" ]]; then
  echo "setup-peers: creating Flink venv $flink_venv"
  rm -rf "$flink_venv"
  python3 -m venv "$flink_venv"
  "$flink_venv/bin/pip" install -q --upgrade pip
  "$flink_venv/bin/pip" install -q --cache-dir "$CACHE/pip" -r tests/requirements-flink.txt
  touch "$flink_venv/.complete"
fi
ln -sfn "$flink_venv" .venv-flink

# --- Java: each pom's dependencies copied into target/lib beside it ---
for pom in tests/peers/*/pom.xml bench/peers/*/pom.xml; do
  [[ -f "$pom" ]] || continue
  dir=$(dirname "$pom")
  key=$(hash_of "$pom")
  if [[ "$(cat "$dir/target/.complete" 2>/dev/null)" != "$key" ]]; then
    echo "setup-peers: fetching Maven dependencies for $dir"
    rm -rf "$dir/target"
    mvn -q -B -Dstyle.color=never -f "$pom" dependency:copy-dependencies -DoutputDirectory=target/lib -DincludeScope=runtime
    echo "$key" > "$dir/target/.complete"
  fi
done

# --- JavaScript: npm ci from the lock file, with the npm cache outside the clone ---
for pkg in tests/peers/*/package.json; do
  [[ -f "$pkg" ]] || continue
  dir=$(dirname "$pkg")
  key=$(hash_of "$dir/package.json" "$dir/package-lock.json")
  if [[ "$(cat "$dir/node_modules/.complete" 2>/dev/null)" != "$key" ]]; then
    echo "setup-peers: installing npm packages for $dir"
    (cd "$dir" && npm ci --silent --no-audit --no-fund --cache "$CACHE/npm" --prefer-offline)
    echo "$key" > "$dir/node_modules/.complete"
  fi
done
echo "setup-peers: peers ready (venv $venv)"
