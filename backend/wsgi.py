"""gunicorn target: gunicorn 'backend.wsgi:app'.

With ``preload_app`` (backend.gunicorn_conf) this module runs once, in gunicorn's master: the
model stack and the active model are loaded there and every forked worker shares those pages
instead of loading its own copy (docs/architecture.md, item 46).
"""

import gc

from backend import create_app
from backend.services import operations

app = create_app()
operations.warm_up(app)
# Everything loaded so far lives as long as the process: keep the collector from walking it,
# so a worker does not copy the shared pages by touching them (copy-on-write).
gc.freeze()
