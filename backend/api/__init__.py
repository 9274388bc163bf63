"""HTTP layer: flask-smorest blueprints that parse, call a service and serialise."""

from backend.api import audit, auth, health, me, patients

BLUEPRINTS = (auth.blp, me.blp, patients.blp, audit.blp, health.blp)
