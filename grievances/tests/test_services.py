"""The grievance services: intake rules, the transition table, history rows, rating, reopening,
attachments without EXIF, the duty rota; insert-only history on PostgreSQL."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from PIL import Image

from core.errors import NotInScope, PermissionDenied, ServiceError
from core.models import AuditEntry
from grievances import services
from grievances.models import Event, Grievance

from .conftest import days_ago, raise_grievance

S = Grievance.State


def test_intake_records_the_place_paths_and_a_history_row(town, bob, dave, grievance):
    household = town.households[0]
    assert grievance.unit == household.joint
    assert grievance.village_path == town.villages[0].path
    assert grievance.group_path == household.group_path
    assert grievance.person_user == dave
    assert grievance.state == S.REGISTERED
    assert list(grievance.events.values_list("action", flat=True)) == ["intake"]
    assert AuditEntry.objects.filter(action="create", object_id=grievance.pk).exists()


def test_intake_outside_scope_is_refused(town, charlie):
    with pytest.raises(NotInScope):
        raise_grievance(charlie, town.households[0].members.get())


def test_intake_needs_a_known_category_and_a_person(town, bob):
    resident = town.households[0].members.get()
    with pytest.raises(ServiceError) as exc:
        raise_grievance(bob, resident, category="不存在")
    assert exc.value.code == "bad_category"
    with pytest.raises(ServiceError) as exc:
        raise_grievance(bob, None, unit=town.grids[0], outsider_name="过路人")
    assert exc.value.code == "phone_required"
    g = raise_grievance(
        bob, None, unit=town.grids[0], outsider_name="过路人", outsider_phone="13912345678"
    )
    assert g.person_name == "过路人" and g.village_path == town.villages[0].path


def test_a_villager_files_only_for_their_own_household(town, dave):
    own = raise_grievance(dave, town.households[0].members.get(), channel="self")
    assert own.recorded_by == dave and own.channel == "self"
    with pytest.raises(PermissionDenied):
        raise_grievance(dave, town.households[1].members.get(), channel="self")
    with pytest.raises(NotInScope):
        raise_grievance(dave, town.households[0].members.get(), channel="grid_round")


def test_the_full_round_writes_one_history_row_per_step(town, bob, dave, grievance):
    g = services.assign(grievance=grievance, actor=bob, unit=town.grids[0], assignee=bob)
    assert g.deadline == g.received_on + __import__("datetime").timedelta(days=15)
    services.add_note(grievance=g, actor=bob, note="已联系施工队")
    g = services.reply_to(grievance=g, actor=bob, reply="下周修复")
    g = services.conclude(grievance=g, actor=bob)
    g = services.rate(grievance=g, actor=dave, rating="satisfied", method="own_login")
    assert g.state == S.CONCLUDED and g.rating == "satisfied"
    actions = list(g.events.values_list("action", "from_state", "to_state"))
    assert actions == [
        ("intake", "", "registered"),
        ("assign", "registered", "handling"),
        ("note", "handling", "handling"),
        ("reply", "handling", "replied"),
        ("conclude", "replied", "concluded"),
        ("rate", "concluded", "concluded"),
    ]


@pytest.mark.parametrize(
    ("state_steps", "to"),
    [
        ([], S.REPLIED),
        ([], S.CONCLUDED),
        (["assign"], S.CONCLUDED),
        (["assign", "reply", "conclude"], S.REPLIED),
        (["assign", "reply", "conclude"], S.CONCLUDED),
    ],
)
def test_transitions_outside_the_table_are_refused(town, bob, grievance, state_steps, to):
    g = grievance
    for step in state_steps:
        if step == "assign":
            g = services.assign(grievance=g, actor=bob, unit=town.grids[0])
        elif step == "reply":
            g = services.reply_to(grievance=g, actor=bob, reply="答复")
        else:
            g = services.conclude(grievance=g, actor=bob)
    before = g.events.count()
    with pytest.raises(ServiceError) as exc:
        services.transition(grievance=g, to=to, actor=bob, reply="x")
    assert exc.value.code == "bad_transition" and exc.value.status == 409
    assert g.events.count() == before


def _concluded(town, bob, grievance):
    g = services.assign(grievance=grievance, actor=bob, unit=town.grids[0], assignee=bob)
    g = services.reply_to(grievance=g, actor=bob, reply="已处理")
    return services.conclude(grievance=g, actor=bob)


def test_rating_rules(town, bob, dave, sam, grievance):
    g = _concluded(town, bob, grievance)
    with pytest.raises(PermissionDenied):  # bob is no the person
        services.rate(grievance=g, actor=bob, rating="satisfied", method="own_login")
    with pytest.raises(PermissionDenied):  # a supervisor only views
        services.rate(grievance=g, actor=sam, rating="satisfied", method="phone")
    g = services.rate(grievance=g, actor=bob, rating="basic", method="phone", note="电话回访")
    assert (g.rating, g.rating_method) == ("basic", "phone")
    with pytest.raises(ServiceError) as exc:
        services.rate(grievance=g, actor=dave, rating="satisfied", method="own_login")
    assert exc.value.code == "already_rated"


def test_not_satisfied_lets_the_person_reopen(town, bob, dave, grievance):
    g = _concluded(town, bob, grievance)
    g = services.rate(grievance=g, actor=dave, rating="not", method="own_login")
    g = services.reopen(grievance=g, actor=dave, reason="路还没修好")
    assert g.state == S.HANDLING and g.rating == "" and g.concluded_on is None
    assert g.reopen_count == 1
    reopen = g.events.get(action="reopen")
    assert reopen.data["previous_rating"] == "not" and reopen.actor == dave
    g = services.reply_to(grievance=g, actor=bob, reply="已重新修复")
    g = services.conclude(grievance=g, actor=bob)
    g = services.rate(grievance=g, actor=dave, rating="satisfied", method="own_login")
    assert g.rating == "satisfied"


def test_a_satisfied_person_cannot_reopen_but_a_handler_can(town, bob, dave, grievance):
    g = _concluded(town, bob, grievance)
    g = services.rate(grievance=g, actor=dave, rating="satisfied", method="own_login")
    with pytest.raises(PermissionDenied):
        services.reopen(grievance=g, actor=dave, reason="再看看")
    with pytest.raises(ServiceError):
        services.reopen(grievance=g, actor=bob, reason="")
    assert services.reopen(grievance=g, actor=bob, reason="复查发现问题").state == S.HANDLING


def test_handlers_only(town, bob, charlie, sam, grievance):
    with pytest.raises(PermissionDenied):
        services.assign(grievance=grievance, actor=sam, unit=town.grids[0])
    with pytest.raises(PermissionDenied):
        services.add_note(grievance=grievance, actor=charlie, note="x")


def test_handing_over_moves_who_handles(town, bob, alice, vera, grievance):
    g = services.assign(grievance=grievance, actor=bob, unit=town.township, assignee=alice)
    assert g.assigned_path == town.township.path
    with pytest.raises(PermissionDenied):  # bob no longer handles; the township does
        services.reply_to(grievance=g, actor=vera, reply="x")
    assert services.reply_to(grievance=g, actor=alice, reply="乡里统一处理").state == S.REPLIED


def test_assignment_checks(town, bob, eve, grievance):
    with pytest.raises(ServiceError) as exc:
        services.assign(grievance=grievance, actor=bob, unit=town.grids[0], assignee=eve)
    assert exc.value.code == "bad_assignee"
    with pytest.raises(ServiceError) as exc:
        services.assign(grievance=grievance, actor=bob, unit=town.grids[0], deadline=days_ago(400))
    assert exc.value.code == "bad_deadline"


def _jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (40, 30), "red")
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (26.0, 30.0, 0.0)}  # GPSInfo
    exif[0x010F] = "PhoneMaker"
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_attachments_lose_their_exif_and_pdfs_pass(town, bob, grievance, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    raw = _jpeg_with_gps()
    assert Image.open(io.BytesIO(raw)).getexif()
    photo = SimpleUploadedFile("p.jpg", raw, content_type="image/jpeg")
    pdf = SimpleUploadedFile("letter.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    saved = services.attach(grievance=grievance, actor=bob, files=[photo, pdf])
    with saved[0].file.open("rb") as f:
        assert not Image.open(f).getexif()
    assert saved[1].content_type == "application/pdf"
    bad = SimpleUploadedFile("x.exe", b"MZ\x90\x00junk", content_type="image/jpeg")
    with pytest.raises(ServiceError):
        services.attach(grievance=grievance, actor=bob, files=[bad])


def test_duty_rota_and_reception(town, alice, lee, bob, sam, today):
    shift = services.schedule_duty(actor=alice, unit=town.township, date=today, leader=lee)
    with pytest.raises(ServiceError) as exc:
        services.schedule_duty(actor=alice, unit=town.township, date=today, leader=bob)
    assert exc.value.code == "not_a_leader"
    with pytest.raises(PermissionDenied):  # a supervisor sees the township, sets no rota
        services.schedule_duty(actor=sam, unit=town.township, date=today, leader=lee)
    with pytest.raises(NotInScope):  # bob's grid does not cover the village
        services.schedule_duty(actor=bob, unit=town.villages[0], date=today, leader=lee)
    g = raise_grievance(
        lee, town.households[9].members.get(), channel="reception", duty=shift, is_petition=True
    )
    assert g.duty == shift
    with pytest.raises(PermissionDenied):  # bob is not on duty
        raise_grievance(bob, town.households[0].members.get(), channel="reception", duty=shift)


def test_event_rows_refuse_changes(grievance):
    event = grievance.events.get()
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL")
def test_postgresql_refuses_updating_history(grievance):
    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.filter(grievance=grievance).update(note="changed")
    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.filter(grievance=grievance).delete()
