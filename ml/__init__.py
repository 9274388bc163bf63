"""Onward tolerance model: labels, features, training, evaluation, registry and the coach policy.

Pure Python + scikit-learn: this package never imports flask, sqlalchemy, marshmallow or
``backend`` (checked by import-linter), so the service and the command line share it.
"""

# The closed modality vocabulary (mirrors backend.domain.vocabulary.MODALITIES; ml may not
# import backend). A code is never renamed, so duplicating the tuple is safe.
MODALITIES = (
    "tai_chi_qigong",
    "resistance_band",
    "aquatic",
    "balance",
    "walking_aerobic",
    "mobility",
)
