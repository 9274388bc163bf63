"""HTTP layer: flask-smorest blueprints that parse, call a service and serialise."""

from backend.api import (
    adaptations,
    audit,
    auth,
    daily,
    health,
    library,
    me,
    notifications,
    patients,
    questionnaires,
    review,
    sync,
    vocabulary,
)

BLUEPRINTS = (
    auth.blp,
    me.blp,
    daily.blp,
    sync.blp,
    notifications.blp,
    library.blp,
    patients.blp,
    questionnaires.blp,
    review.blp,
    adaptations.blp,
    audit.blp,
    vocabulary.blp,
    health.blp,
)
