"""Fixtures shared by the points tests (the personas live in the root conftest.py)."""

import pytest

from conftest import _persona
from points.tests.factories import publish_lists


@pytest.fixture
def items(town):
    """{village_id: {code: Item}}: a published points list for each village of `town`."""
    return publish_lists(town)


@pytest.fixture
def mei(town):
    """Grid member of grid 0: proposes for its households so that bob can review."""
    return _persona("mei", "grid_member", unit=town.grids[0])
