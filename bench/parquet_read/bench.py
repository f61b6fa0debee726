"""parquet_read: a full scan into columns of pyarrow's file of the 10M telemetry rows (zstd, 2^20-row row groups):
floe's reader vs pyarrow.parquet.read_table on one thread (floe's reader is single-threaded), with pyarrow's
multi-threaded read and DuckDB (CREATE TABLE AS SELECT * FROM read_parquet) in extra. Target: floe at least as
fast as pyarrow (ratio >= 1.0)."""
import duckdb
import pyarrow.parquet as pq

from parquet.parquet_perf import ROWS, Files, best_of, floe_tool

NAME = "parquet_read"
TARGET = 1.0


def run(ctx):
    files = Files(ctx)
    try:
        floe = floe_tool(ctx, "read", files.arrow_path, "--repeat", "3")
        assert floe["rows"] == ROWS
        arrow1 = best_of(lambda: pq.read_table(files.arrow_path, use_threads=False))
        arrow_mt = best_of(lambda: pq.read_table(files.arrow_path))
        con = duckdb.connect()
        duck = best_of(lambda: con.execute(
            f"CREATE OR REPLACE TABLE t AS SELECT * FROM read_parquet('{files.arrow_path}')"))
        floe_own = floe_tool(ctx, "read", files.floe_path, "--repeat", "3")
        return {
            "floe": ROWS / floe["seconds"],
            "peer": ROWS / arrow1,
            "peer_name": "pyarrow.parquet.read_table(use_threads=False), same file, best of 3",
            "unit": "rows/s",
            "higher_is_better": True,
            "target": TARGET,
            "extra": {"floe_seconds": floe["seconds"], "pyarrow_1_thread_seconds": round(arrow1, 3),
                      "pyarrow_threads_seconds": round(arrow_mt, 3), "duckdb_seconds": round(duck, 3),
                      "floe_reading_its_own_file_seconds": floe_own["seconds"]},
        }
    finally:
        files.cleanup()
