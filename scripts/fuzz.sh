#!/usr/bin/env bash
# Builds floe's libFuzzer targets (tests/fuzz/*_fuzz.cpp) with clang, ASan and UBSan into build-fuzz/, replays the
# saved reproducers in tests/fuzz/crashes/<target>/, then fuzzes each target for SECONDS over a working copy of its
# corpus (tests/fuzz/corpus/<name>/ plus seeds written by tests/fuzz/fuzz_seeds.cpp).
#   scripts/fuzz.sh [SECONDS] [--junit FILE]     SECONDS defaults to 60; --junit writes one testcase per target
# Exits non-zero if any target crashes, leaks, times out or trips a sanitizer; prints the crash file and the stack.
# Needs clang++ and the libFuzzer/sanitizer runtimes (Debian: clang, libclang-rt-14-dev; scripts/setup-system.sh
# --with-tests installs them), ninja, python3 and libfmt.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=60
junit=""
while (($#)); do
  case "$1" in
    --junit) junit="$2"; shift 2 ;;
    --junit=*) junit="${1#--junit=}"; shift ;;
    [0-9]*) seconds="$1"; shift ;;
    *) echo "usage: $0 [SECONDS] [--junit FILE]" >&2; exit 2 ;;
  esac
done

CXX="${FUZZ_CXX:-clang++}"
if ! command -v "$CXX" >/dev/null; then
  echo "fuzz: $CXX not found: run scripts/setup-system.sh --with-tests (installs clang and libclang-rt-14-dev)" >&2
  exit 2
fi
LAUNCHER=""
if command -v ccache >/dev/null; then
  LAUNCHER="ccache"
  export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/floe/ccache}"
fi

out=build-fuzz
mkdir -p "$out/generated" "$out/artifacts" "$out/logs"

# The Kafka codecs, generated from the schema as the CMake build does; files are replaced only when they change so
# that ninja rebuilds only what changed.
rm -rf "$out/generated.new"
python3 src/floe/kafka/codegen/generate.py "$out/generated.new" src/floe/kafka/schema/*.schema
mkdir -p "$out/generated/floe/kafka/generated"
for f in "$out"/generated.new/floe/kafka/generated/*; do
  dest="$out/generated/floe/kafka/generated/$(basename "$f")"
  cmp -s "$f" "$dest" || cp "$f" "$dest"
done
rm -rf "$out/generated.new"

# The library sources the targets need: base (minus what needs spdlog or toml++) and the Kafka codecs.
lib_srcs=()
for f in src/floe/base/*.cpp; do
  grep -qE '#include (<spdlog|<toml|"floe/base/(logging|config)\.h")' "$f" && continue
  lib_srcs+=("$f")
done
lib_srcs+=(src/floe/kafka/*.cpp "$out/generated/floe/kafka/generated/messages.cpp")
lib_srcs+=(src/floe/ingest/telemetry_json.cpp src/floe/ingest/telemetry_generator.cpp)
# The Parquet reader and what it needs (the writer wants the generated version string; no target uses it).
for f in src/floe/formats/parquet/*.cpp; do [[ "$f" == *parquet_writer.cpp ]] || lib_srcs+=("$f"); done
lib_srcs+=(src/floe/formats/column_vector.cpp)
# Avro and the Iceberg metadata layers (not the data-file layers, which need the Parquet writer and FileIO).
lib_srcs+=(src/floe/formats/avro/*.cpp)
for f in iceberg_types partition_spec literal_codec transforms expressions table_metadata manifest; do
  lib_srcs+=("src/floe/iceberg/$f.cpp")
done
# The SQL front end and the stream layer's JSON format (a job decodes every Kafka record value with it).
lib_srcs+=(src/floe/sql/*.cpp src/floe/stream/datum.cpp src/floe/stream/json_format.cpp)
targets=()
for f in tests/fuzz/*_fuzz.cpp; do targets+=("$(basename "$f" .cpp)"); done

# A generated ninja file: header dependencies tracked, objects shared by every target.
common="-std=c++20 -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined"
common+=" -I../src -Igenerated -I../tests/fuzz -Wall -Wno-unused-parameter"
{
  echo "# Written by scripts/fuzz.sh; do not edit."
  echo "cxx = $LAUNCHER $CXX"
  echo "common = $common"
  echo "rule cxx"
  echo "  command = \$cxx -MMD -MF \$out.d \$common \$flags -c \$in -o \$out"
  echo "  depfile = \$out.d"
  echo "  deps = gcc"
  echo "  description = CXX \$out"
  echo "rule link"
  echo "  command = $CXX \$common \$flags \$in -o \$out -lfmt -lzstd -llz4 -lsnappy -lz -lsimdjson"
  echo "  description = LINK \$out"
  objs=()
  for src in "${lib_srcs[@]}"; do
    rel="${src#"$out"/}"
    [[ "$rel" == "$src" ]] && rel="../$src"
    obj="obj/$(basename "$src" .cpp).o"
    echo "build $obj: cxx $rel"
    echo "  flags = -fsanitize=fuzzer-no-link"
    objs+=("$obj")
  done
  for t in "${targets[@]}"; do
    echo "build obj/$t.o: cxx ../tests/fuzz/$t.cpp"
    echo "  flags = -fsanitize=fuzzer-no-link"
    echo "build $t: link obj/$t.o ${objs[*]}"
    echo "  flags = -fsanitize=fuzzer"
  done
  echo "build obj/fuzz_seeds.o: cxx ../tests/fuzz/fuzz_seeds.cpp"
  echo "build fuzz_seeds: link obj/fuzz_seeds.o ${objs[*]}"
  echo "  flags = -fsanitize=fuzzer-no-link"
} > "$out/build.ninja.new"
cmp -s "$out/build.ninja.new" "$out/build.ninja" || mv "$out/build.ninja.new" "$out/build.ninja"
rm -f "$out/build.ninja.new"
echo "fuzz: building $out/ (${targets[*]})"
ninja -C "$out" --quiet >/dev/null || ninja -C "$out"

# Working corpora: the checked-in corpus (copied, so fuzzing never writes into the repository) plus fresh seeds.
# Inputs libFuzzer found in earlier runs stay in build-fuzz/corpus/ and seed the next run.
for t in "${targets[@]}"; do
  name="${t%_fuzz}"
  mkdir -p "$out/corpus/$name"
  if [[ -d "tests/fuzz/corpus/$name" ]]; then cp -f "tests/fuzz/corpus/$name"/* "$out/corpus/$name"/ 2>/dev/null || true; fi
done
"$out/fuzz_seeds" "$out/corpus/kafka_request" "$out/corpus/record_batch" tests/fuzz/corpus/kafka_request

# Each target in the background (they are single-threaded), then collect the verdicts.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}:abort_on_error=0"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}:print_stacktrace=1:halt_on_error=1"
run_target() {
  local t="$1" name="${1%_fuzz}" log="$out/logs/$1.log"
  local artifacts="$out/artifacts/$t/"
  rm -rf "$artifacts"
  mkdir -p "$artifacts"
  : > "$log"
  local saved=(tests/fuzz/crashes/"$t"/*)
  if [[ -e "${saved[0]}" ]]; then
    echo "== replaying ${#saved[@]} saved reproducer(s) from tests/fuzz/crashes/$t/" >> "$log"
    if ! "$out/$t" -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$artifacts" "${saved[@]}" >> "$log" 2>&1; then
      return 1
    fi
  fi
  echo "== fuzzing for ${seconds}s over $out/corpus/$name" >> "$log"
  "$out/$t" -max_len=65536 -timeout=10 -rss_limit_mb=2048 -max_total_time="$seconds" -print_final_stats=1 \
    -artifact_prefix="$artifacts" "$out/corpus/$name" >> "$log" 2>&1
}

declare -A pids started
for t in "${targets[@]}"; do
  started[$t]=$(date +%s)
  run_target "$t" &
  pids[$t]=$!
done

failed=0
cases=""
xml_escape() { sed -e 's/&/\&amp;/g; s/</\&lt;/g; s/>/\&gt;/g; s/"/\&quot;/g' | tr -d '\000-\010\013\014\016-\037'; }
for t in "${targets[@]}"; do
  rc=0
  wait "${pids[$t]}" || rc=$?
  secs=$(($(date +%s) - started[$t]))
  log="$out/logs/$t.log"
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1 || true)
  cov=$(grep -oE 'DONE[[:space:]]+cov: [0-9]+' "$log" | grep -oE '[0-9]+$' | tail -1 || true)
  if ((rc == 0)); then
    echo "fuzz $t: PASS (${runs:-?} runs, cov ${cov:-?}, ${secs}s)"
    cases+="  <testcase classname=\"fuzz\" name=\"$t\" time=\"$secs\"/>"$'\n'
  else
    failed=$((failed + 1))
    crash_files=$(ls "$out/artifacts/$t/" 2>/dev/null | sed "s|^|$out/artifacts/$t/|" || true)
    echo "fuzz $t: FAIL (exit $rc after ${secs}s)"
    echo "  reproducer: ${crash_files:-none written (see the log)}"
    echo "  rerun: $out/$t ${crash_files:-<input>}"
    echo "  log: $log; its end:"
    grep -vE '^#[0-9]+\s+(NEW|REDUCE|pulse|INITED|RELOAD)' "$log" | tail -60 | sed 's/^/    /'
    detail=$( { echo "reproducer: ${crash_files:-none}"; grep -vE '^#[0-9]+\s+(NEW|REDUCE|pulse)' "$log" | tail -60; } |
      xml_escape)
    cases+="  <testcase classname=\"fuzz\" name=\"$t\" time=\"$secs\"><failure message=\"$t crashed (exit $rc)\">"
    cases+="$detail</failure></testcase>"$'\n'
  fi
done

if [[ -n "$junit" ]]; then
  mkdir -p "$(dirname "$junit")"
  {
    echo '<?xml version="1.0" encoding="utf-8"?>'
    echo "<testsuites><testsuite name=\"fuzz\" tests=\"${#targets[@]}\" failures=\"$failed\" errors=\"0\" skipped=\"0\">"
    printf '%s' "$cases"
    echo "</testsuite></testsuites>"
  } > "$junit"
fi
exit $((failed > 0 ? 1 : 0))
