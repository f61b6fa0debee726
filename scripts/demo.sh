#!/usr/bin/env bash
# `make demo`: floe up with the seed job, and floe produce sending telemetry at a steady rate, so that rows arrive in
# Iceberg while you watch. Ctrl-C stops both. State goes to ./floe-data (FLOE_DEMO_DIR to change).
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${FLOE_DEMO_DIR:-./floe-data}"
rate="${FLOE_DEMO_RATE:-1000}"
build/floe up --data-dir "$dir" --kafka-listen 127.0.0.1:9092 --catalog-listen 127.0.0.1:19120 &
up=$!
producer=""
# Ctrl-C reaches every process of the group: floe up then shuts down on its own (a second signal would make it exit
# at once). Signal it only when it is still running a moment later, i.e. when the signal came to this script alone.
stop() {
  [[ -n "$producer" ]] && kill "$producer" 2>/dev/null
  for _ in $(seq 1 30); do kill -0 "$up" 2>/dev/null || break; sleep 0.1; done
  kill -TERM "$up" 2>/dev/null || true
  wait "$up" 2>/dev/null || true
}
trap stop EXIT
trap 'exit 130' INT TERM
for _ in $(seq 1 100); do
  if (exec 3<>/dev/tcp/127.0.0.1/9092) 2>/dev/null; then break; fi
  sleep 0.1
done
build/floe produce --bootstrap 127.0.0.1:9092 --topic telemetry --sensors 100 --rate "$rate" --duration 0 \
  --progress-interval 10 &
producer=$!
cat <<MSG
== floe up is running the seed job; floe produce sends $rate events/s.
   Windows appear in Iceberg about 15 s after they end. In another terminal:
     build/floe table scan --catalog http://127.0.0.1:19120/iceberg telemetry.sensor_10s --limit 10 --format table
     build/floe job status --data-dir $dir
   Ctrl-C stops everything.
MSG
wait $up
