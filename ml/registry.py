"""Model files: ``<version>.skops`` + ``<version>.json`` metadata in one directory.

Loading refuses (``ModelRefused``) a file whose sha256 differs from the metadata (corrupted
or tampered), whose scikit-learn version or feature list differs from this code, or that
contains any type outside ``TRUSTED_TYPES``. Which version is *active* lives in the service's
database; this module only reads and writes files.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from datetime import datetime
from importlib.metadata import version as installed_version
from pathlib import Path

from ml.features import FEATURES

# scikit-learn and skops are imported only to save or load a file: telling whether a file
# would load (``on_file_check``) needs neither, and skops imports every estimator there is.

# Reviewed by hand (skops 0.16, sklearn 1.9.1) for the two pipelines of ml.pipeline: the types
# skops does not trust by default, each of which only rebuilds sklearn's own fitted state.
# Never extend this from get_untrusted_types() output without reviewing each new entry
# (functools.partial, for one, appears with HGB's native categorical support, not used here).
#  - numpy.dtype: dtypes of fitted arrays;
#  - sklearn.calibration._CalibratedClassifier / _SigmoidCalibration: CalibratedClassifierCV
#    internals (isotonic calibration is a plain, already trusted IsotonicRegression);
#  - sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor: fitted HGB trees;
#  - sklearn.model_selection._split.KFold: the calibration folds.
TRUSTED_TYPES = (
    "numpy.dtype",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
    "sklearn.model_selection._split.KFold",
)
_VERSION_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


class ModelRefused(Exception):
    """A model file that must not be served; ``reason`` says why."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


def save_model(
    pipeline,
    directory: str | os.PathLike,
    version: str,
    *,
    created_at: datetime | str,
    training_data_hash: str,
    metrics: dict,
    features=FEATURES,
    extra: dict | None = None,
) -> Path:
    """Write ``<version>.skops`` and its metadata; return the metadata path.

    ``created_at`` comes from the caller (the service's clock), never from here.
    """
    _check_version(version)
    folder = Path(directory)
    import skops.io as sio

    folder.mkdir(parents=True, exist_ok=True)
    blob = sio.dumps(pipeline)
    meta = {
        "version": version,
        "file": f"{version}.skops",
        "sha256": hashlib.sha256(blob).hexdigest(),
        "features": list(features),
        "training_data_hash": training_data_hash,
        "sklearn_version": installed_version("scikit-learn"),
        "skops_version": installed_version("skops"),
        "metrics": metrics,
        "created_at": created_at.isoformat()
        if isinstance(created_at, datetime)
        else str(created_at),
        **(extra or {}),
    }
    _atomic_write(folder / f"{version}.skops", blob)
    meta_path = folder / f"{version}.json"
    _atomic_write(meta_path, json.dumps(meta, indent=2, sort_keys=True, allow_nan=True).encode())
    return meta_path


def load_model(directory: str | os.PathLike, version: str, *, features=FEATURES):
    """Return ``(pipeline, metadata)`` or raise ``ModelRefused`` with the reason."""
    import skops.io as sio

    meta, blob = _checked_file(directory, version, features)
    try:
        untrusted = set(sio.get_untrusted_types(data=blob)) - set(TRUSTED_TYPES)
        if untrusted:
            raise ModelRefused(f"untrusted types in the model file: {sorted(untrusted)}")
        pipeline = sio.loads(blob, trusted=list(TRUSTED_TYPES))
    except ModelRefused:
        raise
    except Exception as exc:  # skops raises many kinds on a malformed archive
        raise ModelRefused(f"model file cannot be loaded: {type(exc).__name__}: {exc}") from exc
    if list(getattr(pipeline, "feature_names_in_", [])) != list(features):
        raise ModelRefused("the fitted pipeline's input columns differ from its metadata")
    return pipeline, meta


def on_file_check(directory: str | os.PathLike, version: str, *, features=FEATURES) -> dict:
    """The checks ``load_model`` makes before it deserialises (metadata, hash, scikit-learn
    version, feature list), without importing scikit-learn or skops; returns the metadata or
    raises ``ModelRefused``. The bytes are then the ones this code saved: with the same skops
    too (``skops_version``, recorded at save), whether they load depends on nothing else."""
    return _checked_file(directory, version, features)[0]


def _checked_file(directory, version: str, features) -> tuple[dict, bytes]:
    _check_version(version)
    folder = Path(directory)
    meta = read_metadata(folder, version)
    try:
        blob = (folder / f"{version}.skops").read_bytes()
    except OSError as exc:
        raise ModelRefused(f"model file unreadable: {exc}") from exc
    if hashlib.sha256(blob).hexdigest() != meta.get("sha256"):
        raise ModelRefused("sha256 mismatch: the model file is corrupted or was tampered with")
    running = installed_version("scikit-learn")
    if meta.get("sklearn_version") != running:
        raise ModelRefused(
            f"scikit-learn version mismatch: model {meta.get('sklearn_version')}, running {running}"
        )
    if meta.get("features") != list(features):
        raise ModelRefused("feature list mismatch between the model and this code")
    return meta, blob


def read_metadata(directory: str | os.PathLike, version: str) -> dict:
    """The metadata of a version (raises ``ModelRefused`` when missing or unreadable)."""
    path = Path(directory) / f"{version}.json"
    try:
        meta = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise ModelRefused(f"metadata unreadable: {exc}") from exc
    if not isinstance(meta, dict):
        raise ModelRefused("metadata is not a JSON object")
    return meta


def save_recalibration(directory: str | os.PathLike, version: str, data: dict) -> Path:
    """Write ``<version>.recalibration.json`` (ml.recalibration's fit, refitted nightly).

    A file of its own: the model's metadata and its hash stay as they were when promoted.
    """
    _check_version(version)
    path = Path(directory) / f"{version}.recalibration.json"
    _atomic_write(path, json.dumps(data, indent=2, sort_keys=True, allow_nan=False).encode())
    return path


def read_recalibration(directory: str | os.PathLike, version: str) -> dict | None:
    """The version's last recalibration fit, or None when none was written or it is unreadable."""
    _check_version(version)
    try:
        data = json.loads((Path(directory) / f"{version}.recalibration.json").read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _check_version(version: str) -> None:
    # A version becomes a file name: no path separators or dot-dot tricks.
    if not _VERSION_RE.match(version) or ".." in version:
        raise ValueError(f"invalid model version {version!r}")


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
