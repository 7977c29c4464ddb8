#!/usr/bin/env python3
"""The pandas peer of bench/backtest_bench.cc: the same strategy over the same bars, vectorised.

Rules (as the bench's strategy file says): entry when rsi(close,14) < 30 and the symbol is not
held, exit when held and rsi(close,14) > 50; 10 shares; decided at the close of session t and
filled at the open of t+1 (next_open); no fees, no slippage, no cap that binds, so every symbol
trades on its own. A signal on the last session has no next open in the range: an entry is not
filled, an exit leaves the position open (marked at the last close), as in kairos.

Vectorised over wide frames (sessions x symbols): the two conditions never hold together
(30 < 50), so "held after the close of t" is the last condition that held, carried forward
(entry -> 1, exit -> 0, start flat at --from); its changes are the signals, shifted one row they
are the fills at the next open. P&L in integer cents (the synthetic prices are whole cents).

RSI is Wilder's, seeded with the mean of the first 14 changes (bench/scan_pandas.py), over the
whole history, so the rules see every bar before --from as kairos' do.

Usage: backtest_pandas.py EXPORT_DIR [--runs N]. EXPORT_DIR is what backtest_bench writes
(build/bench-data/scan-5000x5000/backtest-export); the range and kairos' figures come from its
kairos_backtest.txt.
"""
import argparse
import pathlib
import time

import numpy as np
import pandas as pd

QTY = 10


def wilder(series: pd.DataFrame, n: int) -> pd.DataFrame:
    seeded = series.copy()
    seeded.iloc[: n + 1] = np.nan
    seeded.iloc[n] = series.iloc[1 : n + 1].mean()
    return seeded.ewm(alpha=1.0 / n, adjust=False, ignore_na=True).mean()


def rsi(close: pd.DataFrame, n: int) -> pd.DataFrame:
    change = close.diff()
    gain = wilder(change.clip(lower=0), n)
    loss = wilder((-change).clip(lower=0), n)
    total = gain + loss
    return (100 * gain / total).where(total != 0, 0.0)


def backtest(open_: pd.DataFrame, close: pd.DataFrame, first: int) -> dict:
    r = rsi(close, 14).iloc[first:]
    o = (open_.iloc[first:] * 100).round().astype(np.int64)
    last_close = (close.iloc[-1] * 100).round().astype(np.int64)
    state = pd.DataFrame(np.where(r < 30, 1.0, np.where(r > 50, 0.0, np.nan)),
                         index=r.index, columns=r.columns)
    held = state.ffill().fillna(0.0)
    signal = held.diff()
    signal.iloc[0] = held.iloc[0]           # flat before --from
    fill = signal.shift(1).fillna(0.0)      # +1 bought / -1 sold at this row's open
    entries = int((fill > 0).to_numpy().sum())
    exits = int((fill < 0).to_numpy().sum())
    flows = -(fill * o).to_numpy().sum() * QTY      # cash of every fill, cents
    position = fill.cumsum().iloc[-1]               # 1 where a position is open at the end
    entry_price = o.where(fill > 0).ffill().iloc[-1].fillna(0)
    open_cost = int((position * entry_price).sum()) * QTY
    realized = int(flows) + open_cost
    unrealized = int((position * (last_close - entry_price)).sum()) * QTY
    return {"trades": entries, "closed": exits, "open": entries - exits,
            "realized": realized, "unrealized": unrealized}


def money(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("export_dir")
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    d = pathlib.Path(args.export_dir)
    symbols, sessions = (int(x) for x in (d / "meta.txt").read_text().split())
    figures = {}
    if (d / "kairos_backtest.txt").exists():
        for line in (d / "kairos_backtest.txt").read_text().split():
            key, value = line.split("=")
            figures[key] = value

    t0 = time.perf_counter()
    days = np.fromfile(d / "days.i32", dtype="<i4")
    names = (d / "symbols.txt").read_text().split()
    shape = (symbols, sessions)
    open_ = pd.DataFrame(np.fromfile(d / "open.f64", dtype="<f8").reshape(shape).T, columns=names)
    close = pd.DataFrame(np.fromfile(d / "close.f64", dtype="<f8").reshape(shape).T, columns=names)
    read_s = time.perf_counter() - t0

    first = 1
    if "from" in figures:
        from_day = (np.datetime64(figures["from"]) - np.datetime64("1970-01-01")).astype(int)
        first = int(np.searchsorted(days, from_day))
    best = float("inf")
    result = {}
    for _ in range(args.runs):
        t1 = time.perf_counter()
        result = backtest(open_, close, first)
        best = min(best, time.perf_counter() - t1)

    print(f"SUMMARY backtest pandas {pd.__version__} ({symbols} symbols x {sessions - first} "
          f"sessions replayed of {sessions}, wide frames, best of {args.runs})")
    print(f"pandas compute           {best:8.3f} s  (read {read_s:.3f} s, not timed)")
    print(f"pandas trades            {result['trades']} ({result['open']} open)  "
          f"realized {money(result['realized'])}  unrealized {money(result['unrealized'])}")
    if figures:
        k_trades = int(figures["trades"])
        k_open = int(figures["open_trades"])
        k_real = int(figures["realized_minor"])
        k_unreal = int(figures["unrealized_minor"])
        same = (k_trades, k_open, k_real, k_unreal) == (
            result["trades"], result["open"], result["realized"], result["unrealized"])
        print(f"kairos trades            {k_trades} ({k_open} open)  realized {money(k_real)}  "
              f"unrealized {money(k_unreal)}  -> {'AGREE' if same else 'DIFFER'}")
        wall = float(figures["wall_s"])
        print(f"kairos backtest {wall:8.3f} s wall ({float(figures['cpu_s']):.3f} s cpu) -> "
              f"kairos/pandas time ratio {wall / best:.1f} (pandas is {wall / best:.1f}x faster)"
              if wall > best else
              f"kairos backtest {wall:8.3f} s wall -> kairos is {best / wall:.1f}x pandas")


if __name__ == "__main__":
    main()
