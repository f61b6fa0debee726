"""Shared by bench/parquet_write and bench/parquet_read: 10 million telemetry rows (the `floe produce` simulation:
sensor_id, ts, temperature, humidity, pressure, battery) written and read by floe (bench/parquet/parquet_bench.cpp)
and by pyarrow / DuckDB on the same data, same codec (zstd) and row-group size (2^20 rows)."""
import json
import os
import subprocess
import tempfile
import time
from pathlib import Path

ROWS = 10_000_000
ROW_GROUP = 1 << 20
REPEAT = 3


def floe_tool(ctx, *args):
    # FLOE_BUILD_DIR picks another build tree (as the interop tests do), e.g. an engineer's own Release build.
    exe = Path(os.environ.get("FLOE_BUILD_DIR") or ctx.build) / "floe_bench_parquet"
    if not exe.exists():
        raise RuntimeError(f"{exe} is missing: run `make build`")
    p = subprocess.run([str(exe), *map(str, args)], capture_output=True, text=True, timeout=900)
    if p.returncode != 0:
        raise RuntimeError(f"floe_bench_parquet {' '.join(map(str, args))}: {p.stderr.strip()[-1000:]}")
    return json.loads(p.stdout)


def best_of(fn):
    best = None
    for _ in range(REPEAT):
        t0 = time.perf_counter()
        fn()
        t = time.perf_counter() - t0
        best = t if best is None else min(best, t)
    return best


class Files:
    """floe's file of the 10M rows, the same rows as a pyarrow table, and pyarrow's file of them."""

    def __init__(self, ctx):
        import pyarrow.parquet as pq
        self.dir = tempfile.mkdtemp(prefix="floe-bench-parquet-")
        self.floe_path = os.path.join(self.dir, "floe.parquet")
        self.arrow_path = os.path.join(self.dir, "arrow.parquet")
        # floe's write is timed over 3 runs inside the tool's process each time (generation excluded).
        self.floe_writes = [floe_tool(ctx, "write", self.floe_path, "--rows", ROWS, "--codec", "zstd",
                                      "--row-group-rows", ROW_GROUP) for _ in range(REPEAT)]
        self.table = pq.read_table(self.floe_path)
        assert self.table.num_rows == ROWS
        self.arrow_write_seconds = best_of(lambda: pq.write_table(self.table, self.arrow_path, compression="zstd",
                                                                  row_group_size=ROW_GROUP))

    def cleanup(self):
        for p in (self.floe_path, self.arrow_path):
            if os.path.exists(p):
                os.remove(p)
        os.rmdir(self.dir)
