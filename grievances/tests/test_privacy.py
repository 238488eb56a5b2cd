"""A petitioner's identity is seen only by the handlers in scope, the recorder and the person;
petitions (信访) are hidden from the place's own cadres and show "匿名" to VIEW-only roles."""

import pytest
from django.urls import reverse

from conftest import _persona
from core.masking import mask_id_number, mask_name, mask_phone
from grievances import access, selectors, services
from people.access import forget_scope, scope_for


def _page(login, user, grievance):
    return login(user).get(reverse("grievances:detail", args=[grievance.pk]))


def _api(api, user, grievance):
    return api(user).get(reverse("api:grievances-detail", args=[grievance.pk]))


@pytest.fixture
def handed_over(town, alice, bob, grievance):
    """The ordinary grievance handed over by bob to the township (alice responsible)."""
    return services.assign(grievance=grievance, actor=bob, unit=town.township, assignee=alice)


@pytest.mark.parametrize(
    ("who", "full"),
    [
        ("alice", True),  # CHANGE on the responsible unit (the township)
        ("bob", True),  # recorded it
        ("dave", True),  # the person
        ("vera", False),  # village committee of the place: sees it, not who
        ("sam", False),  # supervisor: VIEW only
    ],
)
def test_ordinary_grievance_identity(request, login, api, handed_over, who, full):
    user = request.getfixturevalue(who)
    g = handed_over
    name, phone = g.person_name, g.person_phone
    page = _page(login, user, g).content.decode()
    body = _api(api, user, g).json()
    if full:
        assert name in page and phone in page
        number = g.person_id_number if who == "dave" else mask_id_number(g.person_id_number)
        assert body["person"] == {"name": name, "phone": phone, "id_number": number, "full": True}
        assert (g.person_id_number in page) == (who == "dave")  # the full ID: the person only
        assert body["household"]["number"] == g.household.number
    else:
        assert name not in page and phone not in page and g.person_id_number not in page
        assert mask_name(name) in page and mask_phone(phone) in page
        assert body["person"]["name"] == mask_name(name) and body["person"]["full"] is False
        assert body["household"] is None


def test_another_grid_member_of_the_village_does_not_see_it(town, handed_over):
    neighbour = _persona("nina", "grid_member", unit=town.grids[1])
    assert not selectors.visible(scope_for(neighbour)).filter(pk=handed_over.pk).exists()


@pytest.mark.parametrize(
    ("who", "status", "shown"),
    [
        ("alice", 200, "full"),  # MANAGE on the township handling it
        ("lee", 200, "full"),  # received it on duty
        ("dave", 200, "full"),  # the petitioner
        ("sam", 200, "anonymous"),  # supervisor: sees the petition, not who
        ("bob", 404, None),  # grid chief of the petitioner's grid: not even that it exists
        ("vera", 404, None),  # village committee of the place
        ("charlie", 404, None),
        ("eve", 404, None),
    ],
)
def test_petition_visibility(request, login, api, town, alice, dave, petition, who, status, shown):
    g = services.assign(grievance=petition, actor=alice, unit=town.township)
    user = request.getfixturevalue(who)
    response = _page(login, user, g)
    assert response.status_code == status
    assert _api(api, user, g).status_code == status
    if status != 200:
        assert not selectors.visible(scope_for(user)).filter(pk=g.pk).exists()
        return
    page = response.content.decode()
    if shown == "full":
        assert g.person_name in page
    else:
        assert g.person_name not in page and mask_name(g.person_name) not in page
        assert "匿名" in page
        assert _api(api, user, g).json()["person"]["name"] == "匿名"


def test_a_leader_handling_a_petition_needs_manage(town, alice, lee, petition):
    """A township leader (CHANGE, no MANAGE) who did not receive it: sees, but not who."""
    other_leader = _persona("otto", "township_leader", unit=town.township)
    g = services.assign(grievance=petition, actor=alice, unit=town.township)
    scope = scope_for(other_leader)
    assert selectors.visible(scope).filter(pk=g.pk).exists()
    assert not access.can_see_identity(scope, g) and not access.can_handle(scope, g)
    g = services.assign(grievance=g, actor=alice, unit=town.township, assignee=other_leader)
    forget_scope(other_leader)
    assert access.can_see_identity(scope_for(other_leader), g)


def test_lists_and_exports_mask_too(login, town, sam, alice, handed_over, petition):
    services.assign(grievance=petition, actor=alice, unit=town.township)
    page = login(sam).get(reverse("grievances:list")).content.decode()
    assert handed_over.person_name not in page and mask_name(handed_over.person_name) in page
    assert "匿名" in page


def test_unassigned_petition_is_seen_by_manage_on_the_place(town, alice, vera, bob, petition):
    # received at the township's duty, not assigned yet: the township secretary sees it;
    # the place's village committee (MANAGE on the village) sees it too, bob does not.
    assert selectors.visible(scope_for(alice)).filter(pk=petition.pk).exists()
    assert selectors.visible(scope_for(vera)).filter(pk=petition.pk).exists()
    assert not selectors.visible(scope_for(bob)).filter(pk=petition.pk).exists()
