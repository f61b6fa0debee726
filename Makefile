# floe: a thin wrapper over scripts/ and CMake, like DuckDB's. Every target installs what it needs first.
#   make demo        install build packages, build Release, run `floe up` (seed job) and `floe produce` at a steady rate
#   make test        install build and test packages and peers, build Release and ASan, run every test stage
#   make bench       build, install peers, run the benchmarks (BENCH=name for one)
#   make build       Release build into build/ (the binary is build/floe)
#   make test-asan   only the unit tests under ASan+UBSan
#   make format      clang-format every C++ file
.PHONY: demo test build build-asan test-asan bench format setup setup-test clean

JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=
BENCH ?=

setup:
	@scripts/setup-system.sh

setup-test:
	@scripts/setup-system.sh --with-tests
	@scripts/setup-peers.sh

build: setup
	@scripts/build.sh release

build-asan: setup
	@scripts/build.sh asan

demo: build
	@scripts/demo.sh

test: setup-test
	@scripts/build.sh release
	@scripts/build.sh asan
	@tests/run_all.py

test-asan: setup-test build-asan
	@tests/run_all.py --stage unit-asan

bench: setup-test build
	@.venv/bin/python bench/run.py $(BENCH)

format:
	@git ls-files '*.cpp' '*.h' | xargs clang-format -i

clean:
	rm -rf build build-asan
