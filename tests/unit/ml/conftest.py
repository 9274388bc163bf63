"""Shared fixtures for the ml tests: small simulated cohorts and a fitted pipeline."""

from __future__ import annotations

import pandas as pd
import pytest

from ml.features import FEATURES, build_features, training_rows
from ml.pipeline import fit, make_pipeline
from simulation.population import simulate_logs


@pytest.fixture(scope="session")
def sim_logs() -> pd.DataFrame:
    return simulate_logs(40, 120, seed=11)


@pytest.fixture(scope="session")
def sim_rows(sim_logs) -> pd.DataFrame:
    return training_rows(build_features(sim_logs)).sort_values(["patient_id", "date"])


@pytest.fixture(scope="session")
def fitted(sim_rows):
    """{kind: fitted pipeline} on the small cohort."""
    X, y = sim_rows[list(FEATURES)], sim_rows["label"]
    return {kind: fit(make_pipeline(kind, n_rows=len(X)), X, y) for kind in ("logistic", "hgb")}
