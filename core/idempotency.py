"""Idempotent requests (Stripe's model): a retried request with the same key changes nothing.

The client sends a unique `Idempotency-Key` per action and keeps it across retries. The first
response (status and body) is stored under (user, key) in the same transaction as the effect,
so a key exists exactly when its effect does. A retry gets the stored response; the same key
with a different request is refused with 422. A retry that arrives while the first request is
still running waits on the key's unique index (PostgreSQL) or on the write lock (SQLite,
BEGIN IMMEDIATE) and then gets the stored response; it never runs the effect twice.
Keys are kept for at least KEEP (24 hours); `purge_expired` removes older ones.

Pages' forms use the same table through `form_once`: a form carries its key in a hidden
`KeyField` (static/js/offline-forms.js keeps it with the phone's draft and re-sends with it when
the connection comes back), and a re-sent form is answered with the first one's redirect.
"""

import datetime
import hashlib
import json
import uuid
from collections.abc import Callable
from typing import TypeVar

from django import forms
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpResponse, HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import gettext as _

from .errors import ServiceError
from .models import IdempotencyKey
from .views import apply_form

T = TypeVar("T")

KEEP = datetime.timedelta(hours=24)
MAX_KEY_LENGTH = 100


class KeyReused(ServiceError):
    code = "idempotency_key_reused"
    status = 422


def fingerprint(*parts) -> str:
    """A stable hash of what identifies the request (method, path, body)."""
    text = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def run_once(
    *, user, key: str, request_fingerprint: str, handler: Callable[[], tuple[int, dict]]
) -> tuple[int, dict, bool]:
    """Run `handler` once per (user, key); returns (status, body, replayed).

    `handler` performs the effect and returns (status, JSON-ready body). If it raises, nothing
    is stored and a retry runs it again. 5xx answers are not stored either.
    """
    key = (key or "").strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ServiceError(
            _("The Idempotency-Key must be 1 to %(n)d characters.") % {"n": MAX_KEY_LENGTH},
            code="idempotency_key_invalid",
        )
    try:
        with transaction.atomic():
            stored = _stored(user, key)
            if stored is not None:
                return _replay(stored, request_fingerprint)
            status, body = handler()
            if status < 500:
                IdempotencyKey.objects.create(
                    user=user,
                    key=key,
                    fingerprint=request_fingerprint,
                    status_code=status,
                    response=body,
                )
    except IntegrityError:
        stored = _stored(user, key)
        if stored is None:
            raise
        return _replay(stored, request_fingerprint)
    return status, body, False


def _stored(user, key):
    return IdempotencyKey.objects.filter(user=user, key=key).first()


def _replay(stored: IdempotencyKey, request_fingerprint: str) -> tuple[int, dict, bool]:
    if stored.fingerprint != request_fingerprint:
        raise KeyReused(_("This Idempotency-Key was already used for a different request."))
    return stored.status_code, stored.response, True


def purge_expired(now=None) -> int:
    """Delete keys older than KEEP; returns how many."""
    now = now or timezone.now()
    deleted, _rows = IdempotencyKey.objects.filter(created_at__lt=now - KEEP).delete()
    return deleted


# --- pages' forms -----------------------------------------------------------------------------

FORM_FIELD = "idempotency_key"
# Sent by static/js/offline-forms.js; its answer to a sent form is a 204 naming the next page,
# because a fetch would follow a redirect itself and use up the messages meant for that page.
OFFLINE_HEADER = "X-Offline-Form"
NOT_FINGERPRINTED = {"csrfmiddlewaretoken"}


def new_key() -> str:
    return uuid.uuid4().hex


class KeyField(forms.CharField):
    """The form's idempotency key: hidden, a fresh one on every new form, kept when re-shown."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.HiddenInput)
        kwargs.setdefault("required", False)
        kwargs.setdefault("initial", new_key)
        super().__init__(**kwargs)


class _NotSent(Exception):
    """The form had errors or the service refused: undo everything and store no key."""


def form_fingerprint(request, key_field: str = FORM_FIELD) -> str:
    """Method, path and the posted fields (files by their content's hash), key and token aside."""
    skip = NOT_FINGERPRINTED | {key_field}
    fields = {name: values for name, values in request.POST.lists() if name not in skip}
    files = {name: [file_digest(f) for f in values] for name, values in request.FILES.lists()}
    return fingerprint(request.method, request.get_full_path(), fields, files)


def file_digest(upload) -> str:
    """The SHA-256 of an uploaded file's content (read in chunks, then rewound)."""
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def form_once(
    request,
    form,
    write: Callable[[], T],
    *,
    url: str | Callable[[T], str],
    message: str | Callable[[], str],
    key_field: str = FORM_FIELD,
) -> HttpResponse | None:
    """Apply `form` with `write` (one service, as core.views.apply_form) once per form key.

    Answers the redirect to `url` (a string, or a function of what `write` returned) with the
    success `message`, or None when the form has errors to show. Everything `write` did is undone
    when it is refused, and no key is stored, so the corrected form is sent with the same key. A
    form sent again with a key already used changes nothing and answers the first redirect; with
    other content, it is refused and re-shown with a fresh key. Without a key: sent plainly.
    """
    key = (form.data.get(key_field) or "").strip()

    def handler():
        if not form.is_valid():
            raise _NotSent
        form.cleaned_data.pop(key_field, None)  # the services do not take it
        result = apply_form(form, write)
        if result is None:
            raise _NotSent
        return 302, {"url": url(result) if callable(url) else url}

    try:
        if key:
            _status, body, replayed = run_once(
                user=request.user,
                key=key,
                request_fingerprint=form_fingerprint(request, key_field),
                handler=handler,
            )
        else:
            with transaction.atomic():
                _status, body = handler()
            replayed = False
    except _NotSent:
        return None
    except KeyReused:
        form.add_error(
            None,
            _(
                "This form had already been sent with other content, so nothing was recorded. "
                "Send it again to record it as new."
            ),
        )
        form.data = form.data.copy()
        form.data[key_field] = new_key()
        return None
    except ServiceError as exc:  # a malformed key
        form.add_error(None, str(exc.message))
        return None
    if replayed:
        messages.info(request, _("This form had already been sent; it was recorded once."))
    else:
        messages.success(request, message() if callable(message) else message)
    return form_redirect(request, body["url"])


def form_redirect(request, url: str, *, keep_draft: bool = False) -> HttpResponse:
    """The redirect after a form; to offline-forms.js a 204 with the URL in X-Offline-Location.

    `keep_draft` tells the script to keep the phone's draft (the form was refused).
    """
    if request.headers.get(OFFLINE_HEADER) != "1":
        return HttpResponseRedirect(url)
    response = HttpResponse(status=204)
    response["X-Offline-Location"] = url
    if keep_draft:
        response["X-Offline-Keep-Draft"] = "1"
    return response
