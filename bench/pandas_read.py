#!/usr/bin/env python3
"""The pandas peer of import_bench: pandas.read_csv over every *.csv file of DIR.

    python3 bench/pandas_read.py DIR [--runs N]

Each file is read with read_csv(parse_dates=["date"]) into a DataFrame (pandas' C parser, one
process, one thread), which is the closest pandas gets to what the kairos importer does (parse
numbers and dates; kairos also validates every row against the calendar). The files are read once
beforehand so the page cache is warm, as for import_bench. Prints the best of N runs as
"pandas_read_csv_MBps <MB/s>" (1 MB = 1e6 bytes) plus a line of context.
"""
import argparse
import glob
import os
import sys
import time


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir")
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    try:
        import pandas as pd
    except ImportError:
        print("pandas_read: pandas is not installed (apt-get install python3-pandas)",
              file=sys.stderr)
        return 2
    files = sorted(glob.glob(os.path.join(args.dir, "*.csv")))
    if not files:
        print(f"pandas_read: no *.csv files in {args.dir}", file=sys.stderr)
        return 1
    total_bytes = 0
    for path in files:  # warm the page cache
        with open(path, "rb") as f:
            total_bytes += len(f.read())
    best = float("inf")
    rows = 0
    for _ in range(max(1, args.runs)):
        rows = 0
        start = time.perf_counter()
        for path in files:
            frame = pd.read_csv(path, parse_dates=["date"])
            rows += len(frame)
        best = min(best, time.perf_counter() - start)
    mbps = total_bytes / 1e6 / best
    print(f"pandas {pd.__version__}: {len(files)} files, {total_bytes / 1e6:.1f} MB, {rows} rows "
          f"in {best:.2f} s ({rows / best / 1e6:.2f} M rows/s)")
    print(f"pandas_read_csv_MBps {mbps:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
