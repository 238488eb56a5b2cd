"""The privacy scan: no public page or public PDF shows a full ID number, phone number or name.

Loads both demo townships, then crawls as an anonymous visitor from every village's public page
and every points card's verification page, following every link that answers without a login
(pages of every app that links from there are covered as they appear), and reads every public
PDF as text (pdftotext). It fails on any resident's full 18-digit ID number, full 11-digit
mobile number or full name. Masks are GB/T 35273 practice: 4204**********8888, 136****8888, 张*三.
"""

import io
import re
import shutil
import subprocess
from collections import deque
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from django.core.management import call_command
from django.test import Client

from core.masking import mask_name
from places.models import Resident, Unit
from points.models import PointsCard

MAX_PAGES = 3000
LINK = re.compile(r"""(?:href|src|hx-get)\s*=\s*["']([^"'#]+)""")
SKIPPED_PREFIXES = ("/static/", "/media/", "/i18n/", "/accounts/", "/admin/", "/api/docs/")
CJK_RUN = re.compile(r"[\u3400-\u9fff·]{2,}")
DIGIT_RUN = re.compile(r"\d{11,}[\dXx]?")


class Secrets:
    """Every resident's full name, ID number and phone, for exact matching on the pages."""

    def __init__(self, rows):
        rows = list(rows)
        self.names = {name for name, _i, _p in rows if len(name) >= 2}
        self.ids = {id_number.upper() for _n, id_number, _p in rows if id_number}
        self.phones = {phone for _n, _i, phone in rows if phone}
        self.longest_name = max(map(len, self.names))

    def found_in(self, text: str) -> list[str]:
        found = []
        for run in CJK_RUN.findall(text):
            for start in range(len(run)):
                for length in range(2, self.longest_name + 1):
                    piece = run[start : start + length]
                    if len(piece) == length and piece in self.names:
                        found.append(f"name {piece}")
        for run in DIGIT_RUN.findall(text):
            upper = run.upper()
            for start in range(len(upper)):
                if upper[start : start + 18] in self.ids:
                    found.append(f"ID number {upper[start : start + 18]}")
                if upper[start : start + 11] in self.phones:
                    found.append(f"phone {upper[start : start + 11]}")
        return found


def _pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "page.pdf"
    path.write_bytes(content)
    done = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True, timeout=60
    )
    return done.stdout.decode("utf-8")


def _links(base: str, html: str):
    for raw in LINK.findall(html):
        url = urldefrag(urljoin(base, raw.strip()))[0]
        parts = urlsplit(url)
        if parts.scheme not in ("", "http") or parts.netloc not in ("", "testserver"):
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if path.startswith("/") and not path.startswith(SKIPPED_PREFIXES):
            yield path


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")
@pytest.mark.django_db
def test_no_public_page_or_pdf_shows_a_full_name_id_or_phone(tmp_path):
    call_command("seed_demo", stdout=io.StringIO())
    secrets = Secrets(Resident.objects.values_list("name", "id_number", "phone"))
    villages = Unit.objects.filter(kind__in=(Unit.Kind.VILLAGE, Unit.Kind.COMMUNITY))
    assert villages.values("township").distinct().count() == 2
    starts = [f"/p/villages/{pk}/" for pk in villages.values_list("pk", flat=True)]
    starts += [
        f"/p/verify/{token}/" for token in PointsCard.objects.values_list("token", flat=True)
    ]
    anonymous = Client()
    queue, seen = deque(starts), set(starts)
    scanned, pdfs, leaks = 0, 0, []
    while queue:
        path = queue.popleft()
        response = anonymous.get(path)
        if response.status_code in (301, 302, 403, 404, 405):
            continue  # needs a login, or not a page: nothing public here
        assert response.status_code == 200, f"{path} answered {response.status_code}"
        scanned += 1
        content_type = response["Content-Type"]
        if content_type.startswith("application/pdf"):
            pdfs += 1
            text = _pdf_text(response.content, tmp_path)
        else:
            text = response.content.decode("utf-8")
        leaks += [f"{path}: {leak}" for leak in secrets.found_in(text)]
        if content_type.startswith("text/html"):
            for link in _links(f"http://testserver{path}", text):
                if link not in seen and len(seen) < MAX_PAGES:
                    seen.add(link)
                    queue.append(link)
    assert not leaks, "personal data on public pages:\n" + "\n".join(leaks[:50])
    # The crawl really went through the boards: pages, their PDFs and the masked names on them.
    assert scanned >= len(starts) and pdfs >= 1
    print(f"privacy scan: {scanned} public pages and PDFs read ({pdfs} PDFs), no leak")


def test_the_scan_finds_what_it_looks_for():
    secrets = Secrets([("张小三", "42040219900101888X", "13612348888"), ("欧阳娜娜", "", "")])
    page = "<p>户主张小三，电话13612348888，证件42040219900101888x；欧阳娜娜</p>"
    assert sorted(secrets.found_in(page)) == [
        "ID number 42040219900101888X",
        "name 张小三",
        "name 欧阳娜娜",
        "phone 13612348888",
    ]
    masked = f"<p>户主{mask_name('张小三')}，电话136****8888，证件4204**********888X</p>"
    assert secrets.found_in(masked) == []
