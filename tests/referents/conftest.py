from __future__ import annotations

import pytest

from tests.factories.referents import seed_taxonomy


@pytest.fixture(autouse=True)
def _taxonomy(request: pytest.FixtureRequest) -> None:
    """These tests read the seeded taxonomy: make sure it is there even after a transactional test elsewhere."""
    if request.node.get_closest_marker("django_db") is None:
        return
    request.getfixturevalue("db")
    seed_taxonomy()
