"""Personas for every test, as a township's users: each acts within their part of the tree.

alice: township party secretary of 达依乡 (sees and manages the whole township)
bob: grid chief of grid 0 (sees its households; may edit them)
charlie: grid member of grid 3, in the other village (another part of the same township)
dave: villager, head of a household in grid 0 (sees only his own household)
eve: township secretary of another township (an outsider to 达依乡)
"""

import pytest

PASSWORD = "pw-for-tests-1"


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def town(db):
    from places.tests.factories import build_township

    return build_township()


@pytest.fixture
def other_town(db, town):
    from places.tests.factories import build_township

    return build_township(name="柳湖街道", county=town.county)


def _persona(username, role, *, unit=None, household=None):
    from people import services
    from people.models import User

    user = User.objects.create_user(username=username, password=PASSWORD, name=username)
    services.assign_role(user=user, role=role, unit=unit, household=household, actor=None)
    return user


@pytest.fixture
def alice(town):
    return _persona("alice", "township_secretary", unit=town.township)


@pytest.fixture
def bob(town):
    return _persona("bob", "grid_chief", unit=town.grids[0])


@pytest.fixture
def charlie(town):
    return _persona("charlie", "grid_member", unit=town.grids[3])


@pytest.fixture
def dave(town):
    from people.models import User

    household = town.households[0]
    user = _persona("dave", "villager", household=household)
    User.objects.filter(pk=user.pk).update(resident=household.members.get())
    user.refresh_from_db()
    return user


@pytest.fixture
def eve(other_town):
    return _persona("eve", "township_secretary", unit=other_town.township)


@pytest.fixture
def login(client):
    """Log a persona into the test client: `login(bob)`."""

    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def api(db):
    """An API client authenticated as a persona: `api(bob).get(...)`."""
    from rest_framework.test import APIClient

    def _api(user=None):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return _api
