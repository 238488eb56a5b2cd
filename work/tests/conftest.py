"""Fixtures of the work tests (the personas alice, bob, charlie, dave, eve: root conftest.py).

In `town`, grids[0] and grids[1] lie in village 0, grids[2] and grids[3] in village 1.
bob is grid chief of grids[0]; charlie grid member of grids[3]; alice township secretary.
"""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from conftest import _persona
from places.models import ResponsibilityArea
from places.services import create_area


@pytest.fixture
def mei(town):
    """Grid member of grid 0 (bob's grid): rectifies and reports."""
    return _persona("mei", "grid_member", unit=town.grids[0])


@pytest.fixture
def sam(town):
    """Supervisor of the township (督查组)."""
    return _persona("sam", "supervisor", unit=town.township)


@pytest.fixture
def vic(town):
    """Village committee member (两委) of village 0."""
    return _persona("vic", "village_committee", unit=town.villages[0])


@pytest.fixture
def area(town, bob):
    """Responsibility area 1 on grid 0, owned by bob."""
    return create_area(
        grid=town.grids[0], name="通组路", kind=ResponsibilityArea.Kind.ROAD, owner=bob, actor=None
    )


def jpeg(name="photo.jpg", gps=True) -> SimpleUploadedFile:
    """A small JPEG, with an EXIF block (a GPS pointer) unless `gps` is False."""
    out = io.BytesIO()
    image = Image.new("RGB", (40, 30), (120, 160, 90))
    exif = Image.Exif()
    if gps:
        exif[0x8825] = {2: (26.0, 5.0, 0.0)}  # GPSInfo: latitude
        exif[0x010F] = "TestCam"
    image.save(out, format="JPEG", exif=exif.tobytes())
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


@pytest.fixture
def make_problem(town, area, alice):
    from work import services

    def _make(deadline=datetime.date(2026, 12, 29), responsible=None, grid=None, **extra):
        fields = dict(
            actor=alice,
            source="inspection",
            category="sanitation",
            description="路边堆放垃圾",
            requirement="三日内清运",
            deadline=deadline,
            raised_on=min(deadline, datetime.date(2026, 12, 1)),
        )
        fields.update(extra)
        if grid is None:
            fields["area"] = area
        else:
            fields["grid"] = grid
        if responsible is not None:
            fields["responsible"] = responsible
        return services.raise_problem(**fields)

    return _make


@pytest.fixture
def robots(town):
    """A WeCom robot on village 0's work group: its grids' announcements reach it."""
    from notify import services as notify_services

    return notify_services.create_robot(
        unit=town.villages[0],
        name="第1村工作群",
        vendor="wecom",
        message_format="markdown",
        key="693a91f6-7aaa-4bc4-97a0-0ec2sifa5aaa",
        secret="",
        actor=None,
    )


@pytest.fixture
def world(town, alice, bob, mei, sam, area, robots):
    """A township list issued with a task on grid 0, a problem on grid 0 that mei must
    rectify (overdue, with tickets), a draw of the township's grids and a visit."""
    from work import escalation, services

    work_list = services.create_list(
        unit=town.township, month=datetime.date(2026, 11, 1), title="11月清单", actor=alice
    )
    task = services.add_task(
        work_list=work_list,
        title="环境卫生整治",
        done_when="路面无垃圾",
        due_on=datetime.date(2026, 11, 20),
        grid=town.grids[0],
        actor=alice,
    )
    services.issue_list(work_list=work_list, actor=alice)
    problem = services.raise_problem(
        actor=alice,
        source="inspection",
        category="sanitation",
        description="路边堆放垃圾",
        requirement="三日内清运",
        deadline=datetime.date(2026, 11, 5),
        area=area,
        responsible=mei,
        raised_on=datetime.date(2026, 11, 1),
        group=town.groups[0],
    )
    escalation.escalate(day=datetime.date(2026, 11, 10))
    draw = services.draw(
        unit=town.township,
        month=datetime.date(2026, 11, 1),
        kind="grids",
        size=2,
        seed="demo-seed",
        actor=sam,
    )
    visit = services.record_visit(
        unit=town.villages[0],
        visited_on=datetime.date(2026, 11, 3),
        survey="已摸排",
        rectification="整改中",
        guarantee="包保干部",
        actor=sam,
    )
    from types import SimpleNamespace

    return SimpleNamespace(list=work_list, task=task, problem=problem, draw=draw, visit=visit)
