"""Edits made in Django's admin are audited like any service write, and nothing is deleted."""

from core.models import AuditEntry
from people.models import User


def test_admin_edit_of_a_unit_is_audited(town, client):
    root = User.objects.create_superuser("root", "root@example.org", "pw-root-1")
    client.force_login(root)
    unit = town.grids[0]
    response = client.post(
        f"/admin/places/unit/{unit.pk}/change/",
        {
            "name": "和平社区002网格",
            "code": "",
            "work_group": "和平社区002网格联户群",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content[:500]
    entry = AuditEntry.objects.filter(object_id=unit.pk, reason="admin").get()
    assert entry.actor == root
    assert entry.changes["work_group"] == ["", "和平社区002网格联户群"]
    unit.refresh_from_db()
    assert unit.path == town.grids[0].path  # the shape of the tree is read-only here


def test_admin_cannot_delete_history(town, client):
    root = User.objects.create_superuser("root", "root@example.org", "pw-root-1")
    client.force_login(root)
    household = town.households[0]
    response = client.post(f"/admin/places/household/{household.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
