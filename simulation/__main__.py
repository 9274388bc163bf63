"""One simulation run from the command line (the design's ``ml simulate``).

    .venv/bin/python -m simulation --policy rules [--family banister|busso] \
        [--patients 200] [--weeks 12] [--seed 1]
"""

from __future__ import annotations

import argparse
import sys

from simulation.families import FAMILIES
from simulation.harness import POLICIES, format_result, run_simulation


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--policy", choices=POLICIES, required=True)
    parser.add_argument("--family", choices=sorted(FAMILIES), default="banister")
    parser.add_argument("--patients", type=int, default=200)
    parser.add_argument("--weeks", type=int, default=12)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    result = run_simulation(
        patients=args.patients,
        weeks=args.weeks,
        policy=args.policy,
        seed=args.seed,
        family=args.family,
    )
    print(format_result(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
