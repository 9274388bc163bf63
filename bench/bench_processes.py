"""Memory and start-up time per process kind: gunicorn master and web workers, the scheduler.

    python bench/bench_processes.py [--workers 2] [--database-url URL]

Prepares a scratch SQLite database with `flask onward setup` (migrations, day-one model, demo
clinic) unless --database-url names a prepared one, then starts each process kind as
production does (scripts/docker-entrypoint.sh) and prints, per process: RSS, PSS (shared pages
divided among the processes sharing them) and USS (pages only it holds), after one sign-in,
today's session and a morning check-in (the coach's model decision) through each worker.
Runs the web role twice: with preload_app (backend.gunicorn_conf, the default) and without,
where every worker imports the stack and loads the model itself. Target (issue 17): <= 140 MB
per web worker.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, free_port  # noqa: E402

MB = 1024 * 1024
PATIENT = ("ann@demo.onward.example", "demo-patient-pass")


def memory(pid: int) -> dict:
    """RSS, PSS and USS of one process in MB (Linux smaps_rollup)."""
    fields = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value, *_ = line.split()
        fields[name.rstrip(":")] = int(value) * 1024
    uss = fields["Private_Clean"] + fields["Private_Dirty"]
    return {"rss": fields["Rss"] / MB, "pss": fields["Pss"] / MB, "uss": uss / MB}


def cpu(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return sorted(found)


def request(port: int, method: str, path: str, body=None, token=None) -> tuple[int, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, (json.loads(data) if data else {})


def wait_healthy(port: int, proc, limit: float = 300.0) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < limit:
        if proc.poll() is not None:
            raise SystemExit(f"process exited with {proc.returncode}")
        try:
            if request(port, "GET", "/api/v1/health")[0] == 200:
                return time.perf_counter() - started
        except OSError:
            pass
        time.sleep(0.1)
    raise SystemExit("not healthy in time")


def exercise_workers(port: int, workers: int) -> list[str]:
    """Sign in, today's session, a check-in: enough requests that every worker serves some."""
    statuses = []
    for _ in range(workers * 2):
        status, tokens = request(
            port, "POST", "/api/v1/auth/login", {"email": PATIENT[0], "password": PATIENT[1]}
        )
        token = tokens.get("access_token")
        today, _ = request(port, "GET", "/api/v1/me/sessions/today", token=token)
        check_in, _ = request(
            port,
            "POST",
            "/api/v1/me/check-ins",
            {"fatigue": 2, "pain": 1, "symptoms": []},
            token=token,
        )
        statuses.append(f"{status}/{today}/{check_in}")
    return statuses


def web(env: dict, workers: int, preload: bool) -> None:
    port = free_port()
    config = ["--config", "python:backend.gunicorn_conf"] if preload else []
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", *config, "-w", str(workers), "--threads", "4"]
        + ["-b", f"127.0.0.1:{port}", "--log-level", "warning", "backend.wsgi:app"],
        cwd=ROOT,
        env=env,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_healthy(port, proc)
        while len(children(proc.pid)) < workers:  # every worker forked and importing
            time.sleep(0.1)
        # Healthy once every worker answers (each loads on its own without preload).
        for _ in range(workers * 4):
            request(port, "GET", "/api/v1/health")
        ready = time.perf_counter() - started
        spent = cpu(proc.pid) + sum(cpu(pid) for pid in children(proc.pid))
        statuses = exercise_workers(port, workers)
        label = "preload_app" if preload else "no preload"
        print(
            f"web ({label}): every worker healthy after {ready:.1f} s wall, {spent:.1f} s CPU; "
            f"login/today/check-in: {statuses[:2]}"
        )
        _print("  master", memory(proc.pid))
        for n, pid in enumerate(children(proc.pid), start=1):
            _print(f"  worker {n}", memory(pid))
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)


def scheduler(env: dict) -> None:
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "backend.scheduler"],
        cwd=ROOT,
        env={**env, "ONWARD_LOG_LEVEL": "INFO"},
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for line in proc.stderr:
            if "scheduler started" in line:
                break
        ready, spent = time.perf_counter() - started, cpu(proc.pid)
        time.sleep(3)  # its first ticks (reminders, dispatch) have run
        print(f"scheduler: started after {ready:.1f} s wall, {spent:.1f} s CPU")
        _print("  scheduler", memory(proc.pid))
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)


def _print(name: str, m: dict) -> None:
    print(f"{name:<11} RSS {m['rss']:6.1f} MB   PSS {m['pss']:6.1f} MB   USS {m['uss']:6.1f} MB")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database-url", help="a database `flask onward setup` has prepared")
    parser.add_argument("--model-dir", help="its model folder (with --database-url)")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="onward-processes-"))
    metrics_dir = scratch / "prometheus"
    metrics_dir.mkdir()
    env = {
        **os.environ,
        "ONWARD_ENV": "development",
        "ONWARD_DATABASE_URL": args.database_url or f"sqlite:///{scratch / 'onward.db'}",
        "ONWARD_MODEL_DIR": args.model_dir or str(scratch / "models"),
        "ONWARD_LOG_LEVEL": "WARNING",
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
        "FLASK_APP": "backend",
    }
    if not args.database_url:
        setup = [sys.executable, "-m", "flask", "onward", "setup"]
        subprocess.run(setup, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    web(env, args.workers, preload=True)
    web(env, args.workers, preload=False)
    scheduler(env)
    print(f"load average: {os.getloadavg()[0]:.1f} (2 cores); target <= 140 MB per web worker")
    return 0


if __name__ == "__main__":
    sys.exit(main())
