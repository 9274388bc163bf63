"""E-mail dispatch throughput: N due e-mails drained by one dispatcher into a local SMTP server
(aiosmtpd), on a scratch PostgreSQL database. Prints messages per second and how many SMTP
connections the relay saw (one per batch, not one per message).

    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test \\
        .venv/bin/python bench/bench_email_dispatch.py [--n 2000] [--batch 500]

Each message costs one short transaction besides the SMTP exchange: its fenced record, which
also renews the next row's lease (docs/notifications.md). The relay runs in this process, so
it shares the interpreter with the dispatcher.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from aiosmtpd.controller import Controller

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from backend import clock, create_app  # noqa: E402
from backend.extensions import db  # noqa: E402
from backend.services.notifications import drain, insert_once, new_row  # noqa: E402
from bench.common import free_port, scratch_postgres  # noqa: E402


class Relay:
    def __init__(self):
        self.messages = 0
        self.peers: set = set()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook
        self.messages += 1
        self.peers.add(session.peer)
        return "250 OK"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=500)
    args = parser.parse_args()
    relay, port = Relay(), free_port()
    controller = Controller(relay, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with scratch_postgres() as url:
            app = create_app(
                {
                    "ENV": "test",
                    "SQLALCHEMY_DATABASE_URI": url,
                    "LOG_LEVEL": "WARNING",
                    "SMTP_HOST": "127.0.0.1",
                    "SMTP_PORT": port,
                    "NOTIFY_BATCH_SIZE": args.batch,
                }
            )
            with app.app_context():
                db.create_all()
                now = clock.now()
                same = {"kind": "bench", "channel": "email", "now": now, "title": "Review"}
                same |= {"local_date": now.date(), "body": "Something needs review."}
                rows = [
                    new_row(**same, address=f"on-call-{i}@relay.test", subject=str(i))
                    for i in range(args.n)
                ]
                insert_once(rows)
                db.session.commit()
                started = time.perf_counter()
                outcomes = drain()
                elapsed = time.perf_counter() - started
                db.session.remove()
                db.engine.dispose()
    finally:
        controller.stop()
    print(f"{args.n} e-mails, batch {args.batch}: {elapsed:.2f} s, {args.n / elapsed:.0f} msg/s")
    print(
        f"outcomes {dict(outcomes)}; relay received {relay.messages} over {len(relay.peers)} connections"
    )


if __name__ == "__main__":
    main()
