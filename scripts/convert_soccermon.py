"""Convert SoccerMon's master_dataset.csv to the canonical log CSV (see ml/soccermon.py).

python scripts/convert_soccermon.py /work/shared/data/soccermon/master_dataset.csv out.csv
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a file from anywhere

from ml.dataio import write_logs  # noqa: E402
from ml.soccermon import convert  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="SoccerMon master_dataset.csv (read only)")
    parser.add_argument("output", type=Path, help="canonical CSV to write")
    args = parser.parse_args(argv)
    source, output = args.source.resolve(), args.output.resolve()
    # Never write next to the source data (a shared, read-only data set).
    if output.parent == source.parent or source.parent in output.parents:
        parser.error(f"refusing to write into the source data folder {source.parent}")
    logs = convert(source)
    write_logs(logs, output)
    sessions = int(logs["has_session"].sum())
    print(
        f"wrote {output}: {len(logs)} rows, {logs['patient_id'].nunique()} people, {sessions} sessions"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
