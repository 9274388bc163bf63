"""ML benchmarks (printing figures, not timed tests).

    .venv/bin/python bench/bench_ml.py                       # 1,000,000 rows + decision latency
    .venv/bin/python bench/bench_ml.py --rows 100000         # quicker
    .venv/bin/python bench/bench_ml.py --soccermon /work/shared/data/soccermon/master_dataset.csv

Targets: training on 1,000,000 log rows <= 120 s on 2 cores; one decision with all candidates
(and its explanation) p99 <= 5 ms.
"""

from __future__ import annotations

import argparse
import gc
import math
import os
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a file from anywhere

from ml.evaluate import BASELINES, best_kind, compare  # noqa: E402
from ml.features import build_features  # noqa: E402
from ml.policy import DecisionInput, LevelRange, ModalityState, decide  # noqa: E402
from ml.train import train  # noqa: E402
from simulation.population import level_dose, simulate_logs  # noqa: E402

TRAIN_TARGET_S = 120.0
DECISION_TARGET_MS = 5.0
DAYS = 1000
ROWS_PER_PATIENT_DAY = 0.87  # simulated patients skip ~13% of days entirely


def bench_training(rows: int, kinds: list[str]):
    patients = max(2, math.ceil(rows / (DAYS * ROWS_PER_PATIENT_DAY)))
    t0 = time.perf_counter()
    logs = simulate_logs(patients, DAYS, seed=2026)
    print(
        f"generated {len(logs):,} log rows ({patients} virtual patients x {DAYS} days) "
        f"in {time.perf_counter() - t0:.1f} s (not counted)"
    )
    fitted = {}
    for kind in kinds:
        t0 = time.perf_counter()
        pipe, _, meta = train(logs, created_at="bench", kind=kind, evaluate=False)
        took = time.perf_counter() - t0
        scale = 1_000_000 / len(logs)
        print(
            f"train {kind:8s}: {took:6.1f} s on {len(logs):,} rows ({meta['n_train']:,} labelled "
            f"sessions); per 1M rows ~{took * scale:.1f} s; ratio to {TRAIN_TARGET_S:.0f} s target "
            f"{took * scale / TRAIN_TARGET_S:.2f}"
        )
        fitted[kind] = (pipe, meta)
    return logs, fitted


def decision_inputs(logs, fitted) -> dict[str, list[DecisionInput]]:
    """200 realistic decisions per model (feature rows of the last sessions in the logs)."""
    feats = build_features(logs)
    rows = feats[feats["has_session"]].tail(200).to_dict("records")
    loads = {lv: level_dose(lv)[0] * level_dose(lv)[1] for lv in range(1, 9)}
    lighter = {lv: 0.6 * load for lv, load in loads.items()}  # the lowest candidate's, scored too
    today = date(2026, 6, 1)
    state = ModalityState(
        "balance", 4, LevelRange(1, 8), today - timedelta(days=10), loads, lighter_loads=lighter
    )
    return {
        kind: [
            DecisionInput(today, "green", state, row, meta["reference_values"], pipe, "bench", 30)
            for row in rows
        ]
        for kind, (pipe, meta) in fitted.items()
    }


def bench_decision(kind: str, inputs: list[DecisionInput], n: int = 3000) -> None:
    for inp in inputs[:50]:  # warm-up (imports, caches)
        decide(inp, "model")
    wall, cpu = [], []
    for i in range(n):
        c0, t0 = time.thread_time(), time.perf_counter()
        decision = decide(inputs[i % len(inputs)], "model")
        wall.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.thread_time() - c0) * 1000)
    p50, p99 = np.percentile(wall, [50, 99])
    c50, c99 = np.percentile(cpu, [50, 99])
    print(
        f"decision ({kind}, {len(decision.candidates)} candidates and a lighter session "
        "+ explanation): "
        f"wall p50 {p50:.2f} ms, p99 {p99:.2f} ms (ratio to {DECISION_TARGET_MS:.0f} ms target "
        f"{p99 / DECISION_TARGET_MS:.2f}); CPU p50 {c50:.2f} ms, p99 {c99:.2f} ms "
        f"(ratio {c99 / DECISION_TARGET_MS:.2f}; wall minus CPU = waiting for a core)"
    )


def bench_soccermon(path: str) -> None:
    from ml.soccermon import convert

    logs = convert(path)
    print(f"SoccerMon: {len(logs):,} rows, {logs['patient_id'].nunique()} players")
    for split in ("group", "forward"):
        results = compare(logs, split=split)
        kept = best_kind(results)
        r = results[kept]
        print(f"\nsplit={split}: n={r['n']} labelled sessions, flare rate {r['flare_rate']:.3f}")
        print(
            f"{'model':24s} {'AUROC':>7s} {'AUPRC':>7s} {'Brier':>7s} {'slope':>7s} {'intcpt':>7s}"
        )
        for kind, res in results.items():
            m = res["model"]
            tag = f"{kind}{' (kept)' if kind == kept else ''}"
            print(
                f"{tag:24s} {m['auroc']:7.3f} {m['auprc']:7.3f} {m['brier']:7.4f} "
                f"{m['calibration_slope']:7.2f} {m['calibration_intercept']:7.2f}"
            )
        for name in BASELINES:
            b = r["baselines"][name]
            print(f"{'baseline ' + name:24s} {b['auroc']:7.3f} {b['auprc']:7.3f} {b['brier']:7.4f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Onward ML benchmarks")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--kinds", default="hgb,logistic", help="model kinds to time")
    parser.add_argument(
        "--soccermon", help="path to SoccerMon master_dataset.csv: print the metrics table"
    )
    args = parser.parse_args(argv)
    print(
        f"cpus={os.cpu_count()} load average={os.getloadavg()[0]:.1f} (a shared machine slows every figure)"
    )
    if args.soccermon:
        bench_soccermon(args.soccermon)
        return 0
    logs, fitted = bench_training(args.rows, args.kinds.split(","))
    inputs = decision_inputs(logs, fitted)
    del logs, fitted  # a serving process holds no million-row frames (nor their GC cost)
    gc.collect()
    print(f"load average={os.getloadavg()[0]:.1f} before timing decisions")
    for kind, kind_inputs in inputs.items():
        bench_decision(kind, kind_inputs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
