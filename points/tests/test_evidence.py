"""Evidence photos: judged by content, stored without EXIF (no GPS location), with thumbnails."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from core.errors import ServiceError
from points import evidence

GPS_IFD = 0x8825


def _jpeg_with_location(size=(1200, 900)) -> bytes:
    image = Image.new("RGB", size, (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[GPS_IFD] = {1: "N", 2: (26.0, 51.0, 0.0), 3: "E", 4: (104.0, 43.0, 0.0)}
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_the_photo_keeps_no_exif_and_gets_a_thumbnail():
    raw = _jpeg_with_location()
    assert Image.open(io.BytesIO(raw)).getexif().get_ifd(GPS_IFD)  # the fixture has a location
    clean, thumb, content_type = evidence.clean_photo(
        SimpleUploadedFile("photo.jpg", raw, content_type="image/jpeg")
    )
    assert content_type == "image/jpeg"
    stored = Image.open(io.BytesIO(clean))
    assert not stored.getexif() and stored.size == (1200, 900)
    small = Image.open(io.BytesIO(thumb))
    assert max(small.size) <= 320 and not small.getexif()


def test_a_file_named_jpg_that_is_no_image_is_refused():
    upload = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00 not an image", content_type="image/jpeg")
    with pytest.raises(ServiceError) as exc:
        evidence.clean_photo(upload)
    assert exc.value.code == "not_a_photo"


def test_a_too_large_photo_is_refused(monkeypatch):
    monkeypatch.setattr(evidence, "MAX_BYTES", 1000)
    upload = SimpleUploadedFile("big.jpg", _jpeg_with_location(), content_type="image/jpeg")
    with pytest.raises(ServiceError) as exc:
        evidence.clean_photo(upload)
    assert exc.value.code == "photo_too_large"


def test_a_gif_is_not_accepted():
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, format="GIF")
    with pytest.raises(ServiceError) as exc:
        evidence.clean_photo(SimpleUploadedFile("a.gif", out.getvalue(), content_type="image/gif"))
    assert exc.value.code == "not_a_photo"
