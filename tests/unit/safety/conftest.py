import pytest

from backend.catalog.rules import load_rules
from backend.domain.safety import RuleSet


@pytest.fixture(scope="session")
def rules() -> RuleSet:
    """The real, signed-off rule file: tests pin its behaviour."""
    return load_rules()
