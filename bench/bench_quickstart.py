"""Quick start, measured: a fresh clone to a healthy API with `make run`, then a restart.

    python bench/bench_quickstart.py [--repo .] [--keep DIR]

Clones the repository's committed HEAD into a scratch folder (no .venv, no instance/), runs
`make run` on a free port and times it until `GET /api/v1/health` answers 200 with a model
serving; stops it, runs `make run` again and times the restart the same way. Targets (issue
17): fresh <= 90 s, restart <= 10 s on this machine. Prints one line per phase: the wall time
and the CPU time all of make's processes used (on a shared machine the wall time is the load's
as much as ours).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import free_port  # noqa: E402

TARGETS = {"fresh": 90.0, "restart": 10.0}


def healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=2) as r:
            body = json.load(r)
    except OSError:
        return False
    return r.status == 200 and body.get("policy") == "model"


def make_run(folder: Path, port: int, log: Path, limit: float = 900.0) -> tuple[float, object]:
    """Start `make run`; return (seconds until healthy, the running process)."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        ["make", "run", f"PORT={port}"],
        cwd=folder,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: stopped as a whole, like Ctrl-C
        env={k: v for k, v in os.environ.items() if not k.startswith(("ONWARD_", "FLASK_"))},
    )
    while time.perf_counter() - started < limit:
        if proc.poll() is not None:
            raise SystemExit(f"make run exited with {proc.returncode}; see {log}")
        if healthy(port):
            return time.perf_counter() - started, proc
        time.sleep(0.25)
    stop(proc)
    raise SystemExit(f"not healthy after {limit:.0f} s; see {log}")


def stop(proc) -> None:
    os.killpg(proc.pid, signal.SIGINT)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", default=str(Path(__file__).resolve().parent.parent))
    parser.add_argument("--keep", help="clone here and keep it (default: a temporary folder)")
    args = parser.parse_args()
    scratch = Path(args.keep or tempfile.mkdtemp(prefix="onward-quickstart-"))
    folder = scratch / "onward"
    subprocess.run(["git", "clone", "--quiet", args.repo, str(folder)], check=True)
    log = scratch / "make-run.log"
    port = free_port()
    for phase in ("fresh", "restart"):
        before = _children_cpu()
        seconds, proc = make_run(folder, port, log)
        stop(proc)
        verdict = "met" if seconds <= TARGETS[phase] else "NOT met"
        print(
            f"{phase:<8} make run -> healthy: {seconds:6.1f} s wall, "
            f"{_children_cpu() - before:6.1f} s CPU (target <= {TARGETS[phase]:.0f} s: {verdict})",
            flush=True,
        )
    print(f"load average while measuring: {os.getloadavg()[0]:.1f} (2 cores); log: {log}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
