"""Compare the coach's policies on virtual patients run through the real service.

Each (policy, seed) is one ``simulation.harness.run_simulation``: its own app and SQLite file,
the cohort enrolled and driven day by day through the API with the moved clock (the model
policy retrained every night, as the scheduler does in production). Runs go to
``--jobs`` worker processes. Prints every run, then per policy the mean ± sd over seeds of:
tolerated load in weeks 10-12 (AU/week per patient), flares per 100 sessions (by the label and
by the simulator's truth), missed sessions, proposals sent to review, the share of patients who
progressed >= 2 levels in a modality they tolerate, the share reaching the FITT target,
drop-outs, and the label's precision and recall against the truth
(``simulation.harness._programme_measures``); then whether "model reaches more tolerated load in weeks 10-12 than
fixed and rules, with no more flares per 100 sessions than rules" holds, and the elapsed time.

    .venv/bin/python -m bench.bench_simulation [--family banister|busso] [--patients 200] \
        [--weeks 12] [--seeds 1 2 3] [--policies fixed rules model] [--jobs 2] \
        [--json results.json]

With --json, each finished run is saved at once and a rerun with the same file only runs
what is missing (a 200 x 12 x 3 x 3 bench takes over an hour).
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import os
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed

from simulation.families import FAMILIES

MEASURES = (
    ("tolerated_load", "tolerated load (AU/wk)", 1),
    ("flares_per_100", "flares /100 sessions", 2),
    ("true_flares_per_100", "true flares /100", 2),
    ("missed_sessions", "missed sessions", 1),
    ("proposals_to_review", "proposals to review", 1),
    ("progressed_share", "progressed >=2 levels", 2),
    ("fitt_share", "FITT target reached", 2),
    ("drop_outs", "drop-outs", 1),
    ("label_precision", "label precision", 2),
    ("label_recall", "label recall", 2),
)
# The model policy trains its population model first and scores every candidate.
COST = {"model": 0, "auto": 1, "rules": 2, "fixed": 3}


def _run(job: dict) -> dict:
    from simulation.harness import run_simulation

    return run_simulation(**job)


def _mean_sd(values: list[float | None]) -> tuple[float, float]:
    """Mean and sd over the runs that have the measure (NaN when none has it)."""
    known = [float(v) for v in values if v is not None]
    if not known:
        return math.nan, math.nan
    return statistics.mean(known), (statistics.stdev(known) if len(known) > 1 else 0.0)


def summarise(results: list[dict], policies: list[str]) -> dict[str, dict[str, tuple]]:
    """Per policy and measure: (mean, sd) over seeds."""
    table = {}
    for policy in policies:
        runs = [r for r in results if r["policy"] == policy]
        table[policy] = {key: _mean_sd([r.get(key) for r in runs]) for key, _, _ in MEASURES}
    return table


def claim(table: dict, window: list[int]) -> str | None:
    """The headline comparison on the means, or None when a policy is missing."""
    if not {"model", "fixed", "rules"} <= table.keys():
        return None
    load = {p: table[p]["tolerated_load"][0] for p in ("model", "fixed", "rules")}
    flares = {p: table[p]["flares_per_100"][0] for p in ("model", "rules")}
    more_load = load["model"] > load["fixed"] and load["model"] > load["rules"]
    no_more_flares = flares["model"] <= flares["rules"]
    verdict = "HOLDS" if more_load and no_more_flares else "DOES NOT HOLD"
    return (
        f"model reaches more tolerated load in weeks {window[0]}-{window[1]} than fixed and rules "
        f"({load['model']:.1f} vs {load['fixed']:.1f} / {load['rules']:.1f}: "
        f"{'yes' if more_load else 'no'}), with no more flares per 100 sessions than rules "
        f"({flares['model']:.2f} vs {flares['rules']:.2f}: {'yes' if no_more_flares else 'no'}) "
        f"-> {verdict}"
    )


def render(table: dict, seeds: list[int], window: list[int]) -> str:
    head = f"{'policy':<8}" + "".join(f" | {label:>22}" for _, label, _ in MEASURES)
    lines = [
        f"mean ± sd over seeds {seeds}; tolerated load in weeks {window[0]}-{window[1]}",
        head,
        "-" * len(head),
    ]
    for policy, row in table.items():
        cells = "".join(
            f" | {f'{row[key][0]:.{digits}f} ± {row[key][1]:.{digits}f}':>22}"
            for key, _, digits in MEASURES
        )
        lines.append(f"{policy:<8}{cells}")
    return "\n".join(lines)


def _key(run: dict) -> tuple:
    return (run.get("family", "banister"), run["patients"], run["weeks"], run["policy"], run["seed"])


def _load(path: str | None) -> list[dict]:
    if not path or not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as src:
        return json.load(src)["runs"]


def _save(path: str, done: list[dict], run: dict) -> None:
    """Add one run to the file (replacing an older run of the same key), atomically."""
    done[:] = [r for r in done if _key(r) != _key(run)] + [run]
    tmp = f"{path}.tmp"
    with open(tmp, "w", encoding="utf-8") as out:
        json.dump({"runs": done}, out, indent=2)
    os.replace(tmp, path)


def _print_run(r: dict, note: str = "") -> None:
    print(
        f"  {r['policy']:<6} seed {r['seed']}: tolerated load {r['tolerated_load']:.1f}, "
        f"flares/100 {r['flares_per_100']:.2f} ({r['flares']}/{r['logged_sessions']}), "
        f"missed {r['missed_sessions']}/{r['served_sessions']}, "
        f"proposals {r['proposals_to_review']}, final level {r['final_level_mean']}, "
        f"progressed {r.get('progressed_share')}, FITT {r.get('fitt_share')}, "
        f"drop-outs {r.get('drop_outs')}, "
        f"{r['requests']} requests in {r['elapsed_seconds']:.0f} s {note}".rstrip(),
        flush=True,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--family", choices=sorted(FAMILIES), default="banister")
    parser.add_argument("--patients", type=int, default=200)
    parser.add_argument("--weeks", type=int, default=12)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--policies", nargs="+", default=["fixed", "rules", "model"])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument(
        "--json",
        default=None,
        help="write every run's result here as it finishes; runs already in the file "
        "(same patients, weeks, policy, seed) are not run again, so a long bench resumes",
    )
    args = parser.parse_args(argv)

    started = time.perf_counter()
    done = _load(args.json)
    # Seed by seed, so every finished seed is a complete comparison (and a long bench can be
    # read before it ends); the costliest policy of a seed first.
    wanted = [
        {
            "family": args.family,
            "patients": args.patients,
            "weeks": args.weeks,
            "policy": policy,
            "seed": seed,
        }
        for seed in args.seeds
        for policy in sorted(args.policies, key=lambda p: COST.get(p, 9))
    ]
    results = [r for r in done if _key(r) in {_key(job) for job in wanted}]
    jobs = [job for job in wanted if _key(job) not in {_key(r) for r in results}]
    print(
        f"Simulating {len(jobs)} runs ({args.family} family, "
        f"{args.patients} patients x {args.weeks} weeks; "
        f"policies {' '.join(args.policies)}; seeds {' '.join(map(str, args.seeds))}) "
        f"on {args.jobs} processes"
        + (f"; {len(results)} read from {args.json}" if results else ""),
        flush=True,
    )
    for r in results:
        _print_run(r, "(read)")
    # spawn: every run starts from a fresh interpreter (its own clock and app state).
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=args.jobs, mp_context=context) as pool:
        futures = [pool.submit(_run, job) for job in jobs]
        for future in as_completed(futures):
            r = future.result()
            results.append(r)
            _print_run(r)
            if args.json:
                _save(args.json, done, r)
    results.sort(key=lambda r: (args.policies.index(r["policy"]), r["seed"]))
    table = summarise(results, args.policies)
    print()
    window = results[0]["window_weeks"]
    print(render(table, args.seeds, window))
    headline = claim(table, window)
    if headline:
        print()
        print(headline)
    elapsed = time.perf_counter() - started
    print(
        f"\nelapsed {elapsed:.0f} s ({elapsed / 60:.1f} min) on {args.jobs} processes "
        f"for {len(jobs)} runs"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
