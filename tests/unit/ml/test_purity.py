"""The ml package stays framework-free (also enforced by import-linter)."""

import subprocess
import sys
from pathlib import Path

MODULES = (
    "dataio",
    "labels",
    "features",
    "pipeline",
    "train",
    "evaluate",
    "registry",
    "policy",
    "soccermon",
)
FORBIDDEN = ("flask", "sqlalchemy", "flask_sqlalchemy", "marshmallow", "flask_smorest", "backend")


def test_ml_imports_no_web_orm_schema_or_backend():
    code = (
        "import sys\n"
        + "".join(f"import ml.{m}\n" for m in MODULES)
        + f"bad = sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r})\n"
        + "print(','.join(bad))\n"
    )
    root = Path(__file__).resolve().parents[3]
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == ""
