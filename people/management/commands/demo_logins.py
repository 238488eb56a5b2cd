"""`manage.py demo_logins`: the demo logins with their roles and password (`make run` prints it)."""

import unicodedata

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from people.access import active_assignments
from people.demo import DEMO_LOGINS, DEMO_PASSWORD
from people.models import Role, User


def _width(text: str) -> int:
    """Columns the text takes in a terminal: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def _target(assignment) -> str:
    if assignment.role == Role.VILLAGER:
        household = assignment.household
        return f"{household.joint.parent.name} · {household.number}"
    return assignment.unit.name


class Command(BaseCommand):
    help = "Print the demo logins (from `seed_demo`): username, name, role, unit and password."

    def handle(self, *args, **options):
        users = User.objects.in_bulk(
            [username for username, _role in DEMO_LOGINS], field_name="username"
        )
        if not users:
            self.stdout.write("No demo logins yet: run `manage.py seed_demo` first.")
            return
        rows = [(_("Username"), _("Name"), _("Role"), _("Unit"), _("Password"))]
        for username, role in DEMO_LOGINS:
            user = users.get(username)
            if user is not None:
                rows.append((username, user.name, *self._role_and_unit(user, role), DEMO_PASSWORD))
        widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
        for row in rows:
            self.stdout.write(
                "  ".join(_pad(cell, w) for cell, w in zip(row, widths, strict=True)).rstrip()
            )

    @staticmethod
    def _role_and_unit(user: User, role: str | None) -> tuple[str, str]:
        if role is None:
            return _("Superuser"), "/admin/"
        held = active_assignments(user).filter(role=role).select_related("household__joint__parent")
        return str(Role(role).label), "、".join(
            _target(a) for a in held.order_by("unit__path", "id")
        )
