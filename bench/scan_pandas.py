#!/usr/bin/env python3
"""The pandas peer of bench/scan_bench.cc: the same scan over the same bars.

Rule: close > sma(close,200) and rsi(close,14) < 30 and volume > 1.5 * sma(volume,20), every
session of every symbol. Reads the export scan_bench writes (close.f64 / volume.f64: float64,
symbol after symbol, `sessions` values each; meta.txt: "symbols sessions") into two wide
DataFrames (sessions x symbols), which is the fastest way to do this in pandas: every rolling and
ewm call runs over all symbols at once in C. Reading is timed apart from computing, and only the
computing is compared with kairos (whose figure includes reading from its store).

RSI is Wilder's (TA-Lib's): average gain and loss smoothed with alpha = 1/14, seeded with the
plain mean of the first 14 changes, as people write it in pandas.

Usage: scan_pandas.py EXPORT_DIR [--runs N]; kairos' times are taken from
EXPORT_DIR/kairos_figures.txt when scan_bench has written it.
"""
import argparse
import pathlib
import time

import numpy as np
import pandas as pd


def wilder(series: pd.DataFrame, n: int) -> pd.DataFrame:
    """Wilder smoothing seeded with the mean of the first n values (rows 1..n of the changes)."""
    seeded = series.copy()
    seeded.iloc[: n + 1] = np.nan
    seeded.iloc[n] = series.iloc[1 : n + 1].mean()
    return seeded.ewm(alpha=1.0 / n, adjust=False, ignore_na=True).mean()


def scan(close: pd.DataFrame, volume: pd.DataFrame) -> int:
    sma200 = close.rolling(200).mean()
    change = close.diff()
    gain = wilder(change.clip(lower=0), 14)
    loss = wilder((-change).clip(lower=0), 14)
    total = gain + loss
    rsi = (100 * gain / total).where(total != 0, 0.0)
    vsma20 = volume.rolling(20).mean()
    match = (close > sma200) & (rsi < 30) & (volume > 1.5 * vsma20)
    return int(match.to_numpy().sum())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("export_dir")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    d = pathlib.Path(args.export_dir)
    symbols, sessions = (int(x) for x in (d / "meta.txt").read_text().split())

    t0 = time.perf_counter()
    close = pd.DataFrame(np.fromfile(d / "close.f64", dtype="<f8").reshape(symbols, sessions).T)
    volume = pd.DataFrame(np.fromfile(d / "volume.f64", dtype="<f8").reshape(symbols, sessions).T)
    read_s = time.perf_counter() - t0

    best = float("inf")
    matches = 0
    for _ in range(args.runs):
        t1 = time.perf_counter()
        matches = scan(close, volume)
        best = min(best, time.perf_counter() - t1)

    print(f"SUMMARY scan pandas {pd.__version__} ({symbols} symbols x {sessions} sessions, "
          f"wide frames, best of {args.runs})")
    print(f"pandas compute           {best:8.3f} s  ({matches} matches)")
    print(f"pandas read (not timed)  {read_s:8.3f} s  (np.fromfile of the raw export)")
    figures = d / "kairos_figures.txt"
    if figures.exists():
        for line in figures.read_text().split():
            key, value = line.split("=")
            if key.startswith("range_threads_"):
                kairos_s = float(value)
                threads = key.split("_")[2]
                ratio = best / kairos_s
                verdict = "meets" if ratio >= 20 else "MISSES"
                print(f"kairos range threads={threads} {kairos_s:8.3f} s -> kairos is "
                      f"{ratio:.1f}x pandas ({verdict} the 20x target)")


if __name__ == "__main__":
    main()
