"""The day's signed-in patient fixtures, shared with the outcome tests."""

from tests.integration.daily.conftest import patient, physio  # noqa: F401 - pytest fixtures
