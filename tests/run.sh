#!/usr/bin/env bash
# run.sh - the whole test suite: install what it needs, build with sanitizers, run every
# ctest case (unit, fuzz-corpus replays, integration against real docker-registry and
# redis-server on 127.0.0.1 that each test starts and stops), and check the formatting.
#
# Usage: tests/run.sh [ctest args...]     e.g. tests/run.sh -L unit
# Environment: DD_PRESET (default asan), DD_JOBS (default: CPUs).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
preset=${DD_PRESET:-asan}
jobs=${DD_JOBS:-$(nproc)}

deploy/install-deps.sh

echo "== format check (clang-format)"
mapfile -t srcs < <(git ls-files '*.c' '*.h' 2>/dev/null || find common worker cli scheduler tests -name '*.[ch]')
if [ ${#srcs[@]} -gt 0 ]; then
    clang-format --dry-run --Werror "${srcs[@]}"
fi

echo "== build ($preset)"
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" -j "$jobs"

echo "== tests"
# ASan's leak checker and the uv thread pool: report leaks, fail on them.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
ctest --preset "$preset" -j "$jobs" "$@"
