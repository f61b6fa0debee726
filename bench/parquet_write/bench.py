"""parquet_write: floe's Parquet writer vs pyarrow on the same 10M telemetry rows, zstd, 2^20-row row groups
(bench/parquet/parquet_perf.py). Time excludes producing the rows. Targets: floe at least as fast (ratio >= 1.0)
and its file no more than 5% larger (reported in extra)."""
import os

from parquet.parquet_perf import ROW_GROUP, ROWS, Files

NAME = "parquet_write"
TARGET = 1.0


def run(ctx):
    files = Files(ctx)
    try:
        floe_seconds = min(w["seconds"] for w in files.floe_writes)
        floe_bytes = files.floe_writes[0]["bytes"]
        arrow_bytes = os.path.getsize(files.arrow_path)
        return {
            "floe": ROWS / floe_seconds,
            "peer": ROWS / files.arrow_write_seconds,
            "peer_name": "pyarrow.parquet.write_table (same rows, zstd, same row groups), best of 3",
            "unit": "rows/s",
            "higher_is_better": True,
            "target": TARGET,
            "extra": {"rows": ROWS, "row_group_rows": ROW_GROUP, "floe_seconds": round(floe_seconds, 3),
                      "pyarrow_seconds": round(files.arrow_write_seconds, 3), "floe_bytes": floe_bytes,
                      "pyarrow_bytes": arrow_bytes, "size_ratio": round(floe_bytes / arrow_bytes, 4),
                      "size_target": "<= 1.05"},
        }
    finally:
        files.cleanup()
