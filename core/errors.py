"""Service errors: a stable code for machines and a translated message for people."""

from django.utils.translation import gettext_lazy as _


class ServiceError(Exception):
    """A rule refused the action. `code` is stable; `message` is shown to the user."""

    code = "invalid"
    status = 400
    default_message = _("The request could not be carried out.")

    def __init__(self, message=None, *, code: str | None = None, status: int | None = None):
        self.message = message or self.default_message
        if code:
            self.code = code
        if status:
            self.status = status
        super().__init__(str(self.message))


class NotInScope(ServiceError):
    """The object exists but lies outside the actor's part of the tree (shown as 404)."""

    code = "not_found"
    status = 404
    default_message = _("Not found.")


class PermissionDenied(ServiceError):
    code = "permission_denied"
    status = 403
    default_message = _("You may not do this.")
