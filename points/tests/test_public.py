"""Public pages of household points: quarterly publications, PDFs, the points card, verification."""

import datetime
import hashlib
import json
import shutil
import subprocess

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import _persona
from core.errors import ServiceError
from places.models import Resident
from points import quarter, selectors, services
from points.models import Entry, PointsCard, Publication

Q3 = "2026-Q3"
JUL, AUG, OCT = datetime.date(2026, 7, 1), datetime.date(2026, 8, 1), datetime.date(2026, 10, 1)


@pytest.fixture
def member(town):
    return _persona("mei", "grid_member", unit=town.grids[0])


@pytest.fixture
def award(items, member, bob):
    """award(household, code, period): an approved proposal's ledger entry."""

    def _award(household, code="A2", period=JUL):
        item = items[household.group.village_id][code]
        proposal = services.propose(household=household, item=item, period=period, actor=member)
        services.review(proposal=proposal, approve=True, actor=bob)
        return proposal.entry

    return _award


@pytest.fixture
def ledger_q3(town, award):
    """Village 1's first households: entries in Q2..Q4, one snapshot taken mid-way."""
    first, second, third = town.households[:3]
    award(first, "A2", JUL)
    award(first, "B1", AUG)
    award(first, "A2", datetime.date(2026, 4, 1))  # Q2: balance only
    award(second, "A1", JUL)
    services.snapshot_balances(month=AUG, village=town.villages[0])
    award(second, "A2", datetime.date(2026, 9, 1))
    award(second, "A2", OCT)  # Q4: balance only
    award(third, "B1", OCT)
    return town.villages[0]


def _full_names(town):
    return list(Resident.objects.filter(township=town.township).values_list("name", flat=True))


def _assert_masked(text: str, town) -> None:
    for name in _full_names(town):
        assert name not in text
    for resident in Resident.objects.filter(township=town.township):
        assert resident.id_number not in text
        assert resident.phone not in text


# --- Rows -------------------------------------------------------------------------------------


def test_rows_are_every_household_with_quarter_points_and_balance(
    town, ledger_q3, django_assert_num_queries
):
    with django_assert_num_queries(2):
        rows = quarter.publication_rows(ledger_q3, Q3)
    households = sorted(
        (h for h in town.households if h.group.village_id == ledger_q3.pk), key=lambda h: h.number
    )
    assert [row["number"] for row in rows] == [h.number for h in households]
    for row, household in zip(rows, households, strict=True):
        in_quarter = Entry.objects.filter(
            household=household, period__gte=JUL, period__lte=datetime.date(2026, 9, 1)
        ).aggregate(s=Sum("amount"))["s"]
        assert row["points"] == (in_quarter or 0)
        assert row["balance"] == selectors.balance(household) == selectors.balance_by_sum(household)
        head = household.members.get(relation="head").name
        assert row["name"] == head[0] + "*" + head[-1]
    assert [(r["points"], r["balance"]) for r in rows[:3]] == [(-2, 1), (8, 11), (0, -5)]


def test_publish_freezes_rows_with_the_chain_head(town, ledger_q3, alice):
    publication = quarter.publish(village=ledger_q3, quarter=Q3, actor=alice)
    head = selectors.chain_head(ledger_q3)
    assert (publication.chain_seq, publication.chain_hash) == (head.seq, head.hash)
    assert publication.rows == quarter.publication_rows(ledger_q3, Q3)
    assert quarter.is_intact(Publication.objects.get(pk=publication.pk))
    with pytest.raises(ServiceError) as exc:
        quarter.publish(village=ledger_q3, quarter=Q3, actor=alice)
    assert exc.value.code == "already_published"


@pytest.mark.parametrize(
    ("text", "code"),
    [("2026-3", "bad_quarter"), ("2026-Q5", "bad_quarter"), ("2099-Q1", "future_quarter")],
)
def test_publish_refuses_bad_and_future_quarters(town, alice, text, code):
    with pytest.raises(ServiceError) as exc:
        quarter.publish(village=town.villages[0], quarter=text, actor=alice)
    assert exc.value.code == code


# --- Public pages -----------------------------------------------------------------------------


def _pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(content)
    result = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True
    )
    return result.stdout.decode("utf-8")


def test_public_pages_show_masked_names_only(client, town, ledger_q3, alice, tmp_path):
    publication = quarter.publish(village=ledger_q3, quarter=Q3, actor=alice)
    token = services.card_for(town.households[0]).token
    pages = [
        reverse("public:village", args=[ledger_q3.pk]),
        reverse("public:publication", args=[publication.pk]),
        reverse("public:verify", args=[token]),
        reverse("public:chain", args=[ledger_q3.pk]),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        _assert_masked(response.content.decode(), town)
    html = client.get(pages[1]).content.decode()
    assert "刘*先" in html and town.households[0].number in html
    response = client.get(reverse("public:publication_pdf", args=[publication.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"/FontFile" in response.content  # the CJK font is embedded
    if shutil.which("pdftotext"):
        text = _pdf_text(response.content, tmp_path)
        assert "刘*先" in text and town.households[0].number in text
        assert publication.chain_hash in text
        _assert_masked(text, town)


def test_publication_page_says_whether_its_content_matches_its_hash(client, ledger_q3, alice):
    publication = quarter.publish(village=ledger_q3, quarter=Q3, actor=alice)
    url = reverse("public:publication", args=[publication.pk])
    assert client.get(url).context["intact"] is True
    rows = [dict(publication.rows[0], balance=999), *publication.rows[1:]]
    _tamper(Publication, publication.pk, "rows", json.dumps(rows, ensure_ascii=False))
    response = client.get(url)
    assert response.context["intact"] is False
    assert "999" in response.content.decode()


def test_a_correction_leaves_the_publication_and_appears_in_the_next_one(
    client, town, ledger_q3, alice
):
    publication = quarter.publish(village=ledger_q3, quarter=Q3, actor=alice)
    page = reverse("public:publication", args=[publication.pk])
    pdf_url = reverse("public:publication_pdf", args=[publication.pk])
    rows_before, pdf_before = client.get(page).context["publication"].rows, client.get(pdf_url)
    entry = Entry.objects.filter(household=town.households[0], amount=-5).get()
    reversal = services.reverse_entry(entry=entry, actor=alice, reason="复核后撤销")
    assert client.get(page).context["publication"].rows == rows_before
    assert client.get(pdf_url).content == pdf_before.content
    next_quarter = selectors.quarter_of(reversal.period)
    following = quarter.publish(village=ledger_q3, quarter=next_quarter, actor=alice)
    first = following.rows[0]
    assert first["number"] == town.households[0].number
    assert first["balance"] == rows_before[0]["balance"] + 5
    assert following.chain_seq == publication.chain_seq + 1


def test_publication_pdf_is_503_when_the_font_is_missing(client, settings, ledger_q3, alice):
    publication = quarter.publish(village=ledger_q3, quarter=Q3, actor=alice)
    settings.PDF_FONT_PATH = "/nonexistent/fonts/cjk.ttc"
    response = client.get(reverse("public:publication_pdf", args=[publication.pk]))
    assert response.status_code == 503
    assert "/nonexistent/fonts/cjk.ttc" in response.content.decode()
    assert response.templates[0].name == "points/public_font_missing.html"


def test_unknown_and_non_village_ids_are_404(client, town):
    assert client.get(reverse("public:village", args=[town.groups[0].pk])).status_code == 404
    assert client.get(reverse("public:chain", args=[town.township.pk])).status_code == 404
    assert client.get(reverse("public:publication", args=[999999])).status_code == 404
    assert client.get(reverse("public:verify", args=["no-such-token"])).status_code == 404


# --- Points card ------------------------------------------------------------------------------


def test_card_needs_a_login(client, town):
    url = reverse("public:card", args=[town.households[0].pk])
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert not PointsCard.objects.exists()


@pytest.mark.parametrize("persona", ["charlie", "eve"])
def test_card_out_of_scope_is_404(login, town, persona, request):
    client = login(request.getfixturevalue(persona))
    assert client.get(reverse("public:card", args=[town.households[0].pk])).status_code == 404
    assert not PointsCard.objects.exists()


@pytest.mark.parametrize("persona", ["bob", "dave", "alice"])
def test_card_in_scope_is_a_pdf_linking_to_the_verify_page(login, town, persona, request, tmp_path):
    household = town.households[0]
    client = login(request.getfixturevalue(persona))
    response = client.get(reverse("public:card", args=[household.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"/FontFile" in response.content and b"/Subtype /Image" in response.content
    token = PointsCard.objects.get(household=household).token
    verify = "http://testserver" + reverse("public:verify", args=[token])
    if shutil.which("pdftotext"):
        text = _pdf_text(response.content, tmp_path)
        assert verify in text and household.number in text and "刘*先" in text
        _assert_masked(text, town)


def test_card_is_503_when_the_font_is_missing(login, bob, town, settings):
    settings.PDF_FONT_PATH = "/nonexistent/fonts/cjk.ttc"
    response = login(bob).get(reverse("public:card", args=[town.households[0].pk]))
    assert response.status_code == 503


# --- Verification -----------------------------------------------------------------------------


def _tamper(model, pk, column, value):
    """Change a row behind the application's back, as an attacker with database access would."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The insert-only trigger blocks UPDATE; replica mode skips triggers (superuser).
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            f"UPDATE {model._meta.db_table} SET {column} = %s WHERE id = %s",  # noqa: S608 test-only names
            [value, pk],
        )


def _verify_independently(body: dict) -> int | None:
    """Recompute chain.json with nothing but hashlib and json; the first bad seq, or None."""
    previous = "0" * 64
    for entry in body["entries"]:
        content = [entry[name] for name in body["fields"]]
        text = json.dumps(content, ensure_ascii=False, separators=(",", ":"))
        if (
            entry["prev_hash"] != previous
            or hashlib.sha256(text.encode()).hexdigest() != entry["hash"]
        ):
            return entry["seq"]
        previous = entry["hash"]
    return None


def test_verify_page_detects_a_tampered_entry(client, town, ledger_q3, alice):
    quarter.publish(village=ledger_q3, quarter=Q3, actor=alice)
    household = town.households[0]
    url = reverse("public:verify", args=[services.card_for(household).token])
    chain_url = reverse("public:chain", args=[ledger_q3.pk])
    response = client.get(url)
    status = response.context["status"]
    assert status.intact and status.publication_matches and status.broken_seq is None
    assert response.context["balance"] == selectors.balance(household)
    body = client.get(chain_url).json()
    assert _verify_independently(body) is None
    assert body["head"]["seq"] == len(body["entries"]) == 7
    assert {"household_number", "hash"} <= set(body["entries"][0])

    victim = Entry.objects.get(household=town.households[1], period=JUL)
    _tamper(Entry, victim.pk, "amount", 500)
    response = client.get(url)
    status = response.context["status"]
    assert not status.intact and status.broken_seq == victim.seq
    assert status.publication_matches is False  # the printed head lies after the break
    assert 'id="chain"' in response.content.decode() and "error-card" in response.content.decode()
    assert _verify_independently(client.get(chain_url).json()) == victim.seq
    flags = {entry.seq: verified for entry, verified in response.context["rows"]}
    assert all(flags[seq] is (seq < victim.seq) for seq in flags)


def test_verify_page_compares_the_publication_head(client, town, ledger_q3, alice):
    publication = quarter.publish(village=ledger_q3, quarter=Q3, actor=alice)
    url = reverse("public:verify", args=[services.card_for(town.households[0]).token])
    _tamper(Publication, publication.pk, "chain_hash", "f" * 64)
    status = client.get(url).context["status"]
    assert status.broken_seq is None and status.publication_matches is False
    assert not status.intact


# --- Query counts -----------------------------------------------------------------------------


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_public_pages_query_counts_do_not_grow_with_entries(client, town, ledger_q3, award, alice):
    publication = quarter.publish(village=ledger_q3, quarter=Q3, actor=alice)
    household = town.households[0]
    urls = [
        reverse("public:village", args=[ledger_q3.pk]),
        reverse("public:publication", args=[publication.pk]),
        reverse("public:verify", args=[services.card_for(household).token]),
        reverse("public:chain", args=[ledger_q3.pk]),
    ]
    before = [_count(client, url) for url in urls]
    for other in town.households[:6]:
        award(other, "A2", AUG)
    quarter.publish(village=ledger_q3, quarter="2026-Q4", actor=alice)
    assert [_count(client, url) for url in urls] == before
    assert max(before) <= 8


def test_card_query_count_is_bounded(login, bob, town, ledger_q3, award):
    client = login(bob)
    url = reverse("public:card", args=[town.households[0].pk])
    assert _count(client, url) <= 12  # the first print also makes the card's token
    before = _count(client, url)
    award(town.households[0], "A2", AUG)
    assert _count(client, url) == before <= 9


# --- The management command -------------------------------------------------------------------


def test_publish_quarter_command_is_idempotent(town, other_town, ledger_q3, alice, capsys):
    call_command("publish_quarter", Q3, "--township", str(town.township.pk), "--by", "alice")
    assert Publication.objects.filter(quarter=Q3).count() == 2
    assert not Publication.objects.filter(village__township=other_town.township).exists()
    first = capsys.readouterr().out
    assert "2 published, 0 already published" in first
    call_command("publish_quarter", Q3, "--township", str(town.township.pk), "--by", "alice")
    again = capsys.readouterr().out
    assert "0 published, 2 already published" in again
    assert Publication.objects.filter(quarter=Q3).count() == 2
    assert Publication.objects.filter(quarter=Q3).first().published_by == alice


def test_publish_quarter_command_defaults_to_the_first_superuser(town, other_town, capsys):
    with pytest.raises(CommandError, match="superuser"):
        call_command("publish_quarter", Q3)
    from people.models import User

    root = User.objects.create_superuser(username="root", password="x-long-password-1")
    call_command("publish_quarter", Q3, "--village", str(town.villages[1].pk))
    publication = Publication.objects.get()
    assert (publication.village, publication.published_by) == (town.villages[1], root)
    call_command("publish_quarter", Q3)  # every village: the three others now
    assert Publication.objects.filter(quarter=Q3).count() == 4


def test_publish_quarter_command_refuses_bad_arguments(town, alice):
    with pytest.raises(CommandError, match="2026-Q3"):
        call_command("publish_quarter", "Q3-2026", "--by", "alice")
    with pytest.raises(CommandError, match="nobody"):
        call_command("publish_quarter", Q3, "--by", "nobody")
    with pytest.raises(CommandError, match="village"):
        call_command("publish_quarter", Q3, "--village", str(town.groups[0].pk), "--by", "alice")
