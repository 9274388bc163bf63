#!/bin/sh
# Container roles: web (gunicorn), scheduler (exactly one per deployment), migrate (then exit).
set -eu
case "${1:-web}" in
  web)       exec gunicorn --bind 0.0.0.0:8000 --workers "${WEB_CONCURRENCY:-3}" --access-logfile - \
               --config python:backend.gunicorn_conf 'backend.wsgi:app' ;;
  scheduler) exec python -m backend.scheduler ;;
  migrate)   exec flask db upgrade ;;
  *)         exec "$@" ;;
esac
