"""SoccerMon team-to-team transfer, without and with online recalibration (issue 13, item 5).

    .venv/bin/python bench/bench_transfer.py [--soccermon PATH] [--kind auto|logistic|hgb]

Trains on one team, tests on the other (both directions). "with recalibration" is sequential:
each test session is predicted from the model plus a clinic fit refitted every day on the test
team's labels known by that morning and that player's own earlier labels (ml.recalibration).
Prints, per direction: calibration intercept and slope (joint fit, ml.evaluate.metrics),
calibration-in-the-large (slope fixed at 1), Brier and AUROC against every baseline.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

DEFAULT = "/work/shared/data/soccermon/master_dataset.csv"
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def transfer(logs, train_team: str, test_team: str, kind: str = "auto") -> dict:
    """Predictions of every kind and baseline, plus the recalibration report of the kept kind."""
    from ml.evaluate import (
        BASELINES,
        best_kind,
        calibration_in_the_large,
        metrics,
        predictions,
        recalibration_report,
    )
    from ml.pipeline import KINDS

    team = logs["patient_id"].str.split("_").str[0]
    kinds = KINDS if kind == "auto" else (kind,)
    preds = predictions(logs[team == test_team], logs[team == train_team], kinds=kinds)
    scored = {k: metrics(preds["label"], preds[f"p_{k}"]) for k in kinds}
    kept = best_kind({k: {"model": m} for k, m in scored.items()})
    report = recalibration_report(
        preds, preds[f"p_{kept}"], base_rate=preds["p_own_base_rate"].to_numpy()
    )
    report["kind"] = kept
    report["baselines"] = {
        b: {
            **metrics(preds["label"], preds[f"p_{b}"]),
            "calibration_in_the_large": calibration_in_the_large(preds["label"], preds[f"p_{b}"]),
        }
        for b in BASELINES
    }
    return report


def print_report(name: str, r: dict) -> None:
    print(
        f"\n{name}: model {r['kind']}, {r['n']} test sessions, {r['n_patients']} players, "
        f"flare rate {r['flare_rate']:.3f}"
    )
    print(f"{'':32s} {'AUROC':>7s} {'Brier':>7s} {'slope':>7s} {'intcpt':>7s} {'CITL':>7s}")
    rows = [
        ("model, no recalibration", r["without"]),
        ("model + online recalibration", r["with"]),
    ] + [(f"baseline {b}", m) for b, m in r["baselines"].items()]
    for label, m in rows:
        citl = m.get("calibration_in_the_large", float("nan"))
        print(
            f"{label:32s} {m['auroc']:7.3f} {m['brier']:7.4f} {m['calibration_slope']:7.2f} "
            f"{m['calibration_intercept']:7.2f} {citl:7.2f}"
        )
    best = min(m["brier"] for m in r["baselines"].values())
    w = r["with"]
    print(
        f"target: Brier {w['brier']:.4f} < best baseline {best:.4f}: "
        f"{'met' if w['brier'] < best else 'NOT met'}; |intercept| {abs(w['calibration_intercept']):.2f}"
        f" <= 0.1: {'met' if abs(w['calibration_intercept']) <= 0.1 else 'NOT met'}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--soccermon", default=DEFAULT, help="SoccerMon master_dataset.csv")
    parser.add_argument("--kind", default="auto", choices=("auto", "logistic", "hgb"))
    args = parser.parse_args(argv)
    from ml.soccermon import convert

    try:
        logs = convert(args.soccermon)
    except (OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for train_team, test_team in (("TeamA", "TeamB"), ("TeamB", "TeamA")):
        start = time.perf_counter()
        report = transfer(logs, train_team, test_team, args.kind)
        print_report(f"train {train_team} -> test {test_team}", report)
        print(f"({time.perf_counter() - start:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
