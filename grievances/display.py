"""How grievances show: the person as the viewer may see them, overdue marks, figure names."""

from django.utils.translation import gettext as _

from core.masking import mask_id_number, mask_name, mask_phone

from . import access
from .models import Grievance


def person_of(scope, grievance: Grievance) -> dict:
    """The person as this user may see them: in full, masked, or anonymous (petitions).

    Handlers get the name and phone (to call back), never the full ID number: it is shown
    masked to all but the person themself (the resident's page shows it in full, audited).
    """
    if access.can_see_identity(scope, grievance):
        own = access.is_person(scope, grievance)
        number = grievance.person_id_number
        return {
            "name": grievance.person_name,
            "phone": grievance.person_phone,
            "id_number": number if own else mask_id_number(number),
            "full": True,
        }
    if grievance.is_petition:
        return {"name": _("Anonymous"), "phone": "", "id_number": "", "full": False}
    return {
        "name": mask_name(grievance.person_name),
        "phone": mask_phone(grievance.person_phone),
        "id_number": mask_id_number(grievance.person_id_number),
        "full": False,
    }


def rows_for(scope, grievances, today):
    for g in grievances:
        g.person = person_of(scope, g)
        g.overdue = g.is_overdue(today)
        if not access.can_see_tickets(scope, g):
            g.ticket_colour = None
        yield g


def FIGURE_LABELS() -> dict[str, str]:  # noqa: N802 - a constant, translated per request
    return {
        "received": _("Received"),
        "concluded": _("Concluded"),
        "concluded_on_time": _("Concluded on time"),
        "overdue_open": _("Open past the deadline"),
        "rated": _("Rated"),
        "satisfied": _("Satisfied"),
        "basically_satisfied": _("Basically satisfied"),
        "not_satisfied": _("Not satisfied"),
        "satisfaction_rate": _("Satisfaction rate"),
    }
