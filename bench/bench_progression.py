"""Does the coach progress patients? One simulation run per (policy, seed), then its record.

Runs ``simulation.harness.run_simulation`` on a kept SQLite file and reads back what was
served: the simulator's own measures (tolerated load in the last 3 weeks, flares per 100
sessions, proposals to review) plus, from the served sessions and the decisions,

* the share of patients who progressed at least 2 levels in some modality (the level served
  in their last week against their first week's, in a modality served both weeks);
* the mean level served in week 1 and in the last week;
* decisions: share held, applied ups and downs, lighter sessions;
* sessions by verdict (amber days are cut by the safety verdict already).

    .venv/bin/python -m bench.bench_progression [--patients 40] [--weeks 8] [--seeds 1 2] \
        [--policies fixed rules model] [--families banister busso] [--json out.json]

Runs one after the other in this process (the machine is shared): a 40 x 8 model run takes
several minutes.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from datetime import date
from pathlib import Path

REVIEW_REASONS = ("above_auto_approve_band", "too_little_patient_data", "low_confidence")


def progression(db: Path) -> dict:
    """Levels served and decisions made, read from the run's database."""
    con = sqlite3.connect(db)
    rows = con.execute(
        "SELECT patient_id, local_date, levels, modalities, verdict, status FROM exercise_sessions"
    ).fetchall()
    served = [r for r in rows if json.loads(r[3] or "[]")]
    start = min(date.fromisoformat(r[1]) for r in served)
    last_week = max((date.fromisoformat(r[1]) - start).days // 7 for r in served)
    levels: dict = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))
    verdicts: dict[str, int] = defaultdict(int)
    for patient, day, lv, mods, verdict, _ in served:
        week = (date.fromisoformat(day) - start).days // 7
        verdicts[verdict] += 1
        for modality in json.loads(mods):
            level = json.loads(lv).get(modality)
            if level is not None:
                levels[patient][modality][week].append(level)
    progressed = 0
    first_levels, last_levels = [], []
    for by_modality in levels.values():
        gains = []
        for weeks in by_modality.values():
            if 0 in weeks:
                first_levels.append(statistics.mean(weeks[0]))
            if last_week in weeks:
                last_levels.append(statistics.mean(weeks[last_week]))
            if 0 in weeks and last_week in weeks:
                gains.append(max(weeks[last_week]) - min(weeks[0]))
        progressed += bool(gains) and max(gains) >= 2
    decisions = con.execute(
        "SELECT current_level, applied_level, lighter, status, reason_codes, proposed_level"
        " FROM adaptations"
    ).fetchall()
    # Why step-ups went to the physio: the guardrail reasons on every proposal.
    review: dict[str, int] = defaultdict(int)
    for d in decisions:
        if d[3] != "auto_applied" and d[5] > d[0]:
            for code in json.loads(d[4]):
                if code in REVIEW_REASONS:
                    review[code] += 1
    applied = [d for d in decisions if d[1] is not None and d[3] in ("auto_applied", "approved")]
    con.close()
    return {
        "progressed_2_levels_share": round(progressed / max(len(levels), 1), 3),
        "level_week1": round(statistics.mean(first_levels), 2) if first_levels else None,
        "level_last_week": round(statistics.mean(last_levels), 2) if last_levels else None,
        "decisions": len(decisions),
        "holds_share": round(
            sum(d[1] == d[0] or d[1] is None for d in decisions) / max(len(decisions), 1), 3
        ),
        "applied_ups": sum(d[1] > d[0] for d in applied),
        "applied_downs": sum(d[1] < d[0] for d in applied),
        "lighter": sum(bool(d[2]) for d in decisions),
        "served_by_verdict": dict(sorted(verdicts.items())),
        "review_reasons": dict(sorted(review.items())),
    }


def run(patients: int, weeks: int, policy: str, seed: int, family: str = "banister") -> dict:
    from simulation.harness import run_simulation

    with tempfile.TemporaryDirectory(prefix="onward-progression-") as scratch:
        db = Path(scratch) / "run.db"
        result = run_simulation(
            patients=patients,
            weeks=weeks,
            policy=policy,
            seed=seed,
            database_url=f"sqlite:///{db}",
            family=family,
        )
        result.update(progression(db))
    return result


KEYS = (
    "tolerated_load",
    "flares_per_100",
    "proposals_to_review",
    "progressed_2_levels_share",
    "level_week1",
    "level_last_week",
    "holds_share",
    "applied_ups",
    "applied_downs",
    "lighter",
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--patients", type=int, default=40)
    parser.add_argument("--weeks", type=int, default=8)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--policies", nargs="+", default=["fixed", "rules", "model"])
    parser.add_argument("--families", nargs="+", default=["banister"])
    parser.add_argument("--json", default=None, help="write every run's result here")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    results = []
    runs = [(f, s, p) for f in args.families for s in args.seeds for p in args.policies]
    for family, seed, policy in runs:
        r = {**run(args.patients, args.weeks, policy, seed, family), "family": family}
        results.append(r)
        print(
            f"{family:<8} {policy:<6} seed {seed}: "
            + ", ".join(f"{k} {r[k]}" for k in KEYS)
            + f", verdicts {r['served_by_verdict']}, review {r['review_reasons']}, "
            + f"{r['elapsed_seconds']:.0f} s",
            flush=True,
        )
        if args.json:
            Path(args.json).write_text(json.dumps(results, indent=2, default=str))
    print(f"\nmean over seeds {args.seeds} ({args.patients} patients x {args.weeks} weeks)")
    for family, policy in [(f, p) for f in args.families for p in args.policies]:
        runs = [r for r in results if r["policy"] == policy and r["family"] == family]
        cells = ", ".join(
            f"{k} {statistics.mean(float(r[k]) for r in runs):.3g}"
            for k in KEYS
            if all(r[k] is not None for r in runs)
        )
        print(f"  {family:<8} {policy:<6} {cells}")
    print(f"elapsed {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
