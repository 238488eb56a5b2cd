"""Evidence photos: checked by their content (not their name), re-encoded without EXIF
(no GPS location leaves the phone's photo), and a small thumbnail for lists."""

import io
import uuid

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from core.errors import ServiceError

from .models import Evidence

MAX_BYTES = 8 * 1024 * 1024
MAX_PHOTOS = 6
FORMATS = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
}
THUMBNAIL = (320, 320)
MAX_SIDE = 2048


def _refuse(message, code):
    raise ServiceError(message, code=code)


def clean_photo(upload) -> tuple[bytes, bytes, str]:
    """(image, thumbnail, content type) re-encoded without metadata, or a ServiceError."""
    name = getattr(upload, "name", "photo")
    if upload.size > MAX_BYTES:
        _refuse(
            _("Photo %(name)s is larger than %(mb)d MB.") % {"name": name, "mb": MAX_BYTES >> 20},
            "photo_too_large",
        )
    data = upload.read()
    try:
        image = Image.open(io.BytesIO(data))
        image.verify()
        image = Image.open(io.BytesIO(data))
    except (UnidentifiedImageError, OSError, SyntaxError):
        _refuse(_("%(name)s is not a photo (JPEG, PNG or WebP).") % {"name": name}, "not_a_photo")
    if image.format not in FORMATS:
        _refuse(_("%(name)s is not a photo (JPEG, PNG or WebP).") % {"name": name}, "not_a_photo")
    content_type = FORMATS[image.format][0]
    image = ImageOps.exif_transpose(image)  # keep the orientation, then drop all metadata
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    clean = _encode(image, image.format or "JPEG")
    thumb = image.copy()
    thumb.thumbnail(THUMBNAIL)
    return clean, _encode(thumb, "JPEG"), content_type


def _encode(image: Image.Image, fmt: str) -> bytes:
    out = io.BytesIO()
    if fmt == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    # A fresh save without `exif=` writes no EXIF block, so GPS tags are gone.
    image.save(out, format=fmt, quality=85)
    return out.getvalue()


def attach_photos(*, proposal, files) -> list[Evidence]:
    if len(files) > MAX_PHOTOS:
        _refuse(_("At most %(n)d photos per proposal.") % {"n": MAX_PHOTOS}, "too_many_photos")
    saved = []
    for upload in files:
        image, thumb, content_type = clean_photo(upload)
        stem = uuid.uuid4().hex
        suffix = next(sfx for ct, sfx in FORMATS.values() if ct == content_type)
        evidence = Evidence(proposal=proposal, content_type=content_type, size=len(image))
        evidence.image.save(f"{stem}.{suffix}", ContentFile(image), save=False)
        evidence.thumbnail.save(f"{stem}.jpg", ContentFile(thumb), save=False)
        evidence.save()
        saved.append(evidence)
    return saved
