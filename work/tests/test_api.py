"""The work API: allowed, refused (403), out of scope (404), and Idempotency-Key replays."""

import pytest

from work.models import Problem, ProblemEvent, Task, TaskReport, Ticket
from work.tests.conftest import jpeg

BASE = "/api/v1/work"


@pytest.mark.parametrize(
    "who, seen", [("alice", True), ("bob", True), ("charlie", False), ("eve", False)]
)
def test_task_and_problem_lists(world, api, request, who, seen):
    client = api(request.getfixturevalue(who))
    tasks = client.get(f"{BASE}/tasks/").json()["results"]
    problems = client.get(f"{BASE}/problems/").json()["results"]
    tickets = client.get(f"{BASE}/tickets/").json()["results"]
    assert (world.task.pk in [t["id"] for t in tasks]) is seen
    assert (world.problem.pk in [p["id"] for p in problems]) is seen
    assert bool(tickets) is seen


def test_details_out_of_scope(world, api, charlie, mei):
    for path in (
        f"tasks/{world.task.pk}/",
        f"problems/{world.problem.pk}/",
        f"problems/{world.problem.pk}/transitions/",
        f"tasks/{world.task.pk}/reports/",
    ):
        assert api(charlie).get(f"{BASE}/{path}").status_code == 404
        assert api(mei).get(f"{BASE}/{path}").status_code == 200
    assert api().get(f"{BASE}/problems/").status_code in (401, 403)


def test_create_task_idempotent(world, api, alice, bob, eve, town):
    body = {
        "work_list": world.list.pk,
        "title": "清理河沟",
        "done_when": "无漂浮物",
        "due_on": "2026-11-25",
        "grid": town.grids[1].pk,
    }
    assert api(eve).post(f"{BASE}/tasks/", body, format="json").status_code == 404
    assert api(bob).post(f"{BASE}/tasks/", body, format="json").status_code == 403
    client = api(alice)
    first = client.post(f"{BASE}/tasks/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-task-1")
    again = client.post(f"{BASE}/tasks/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-task-1")
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true" and first.json() == again.json()
    assert Task.objects.filter(title="清理河沟").count() == 1
    other = client.post(
        f"{BASE}/tasks/", {**body, "title": "别的"}, format="json", HTTP_IDEMPOTENCY_KEY="k-task-1"
    )
    assert other.status_code == 422


def test_report_progress_with_photo(world, api, mei, charlie, sam):
    path = f"{BASE}/tasks/{world.task.pk}/reports/"
    assert api(charlie).post(path, {"kind": "progress", "note": "x"}).status_code == 404
    assert api(sam).post(path, {"kind": "done", "note": "x"}).status_code == 403
    client = api(mei)
    for _ in range(2):
        response = client.post(
            path,
            {"kind": "done", "note": "完成", "photos": [jpeg()]},
            format="multipart",
            HTTP_IDEMPOTENCY_KEY="k-report-1",
        )
        assert response.status_code == 201, response.json()
    assert TaskReport.objects.filter(task=world.task, kind="done").count() == 1
    assert len(response.json()["photos"]) == 1


def test_raise_problem(world, api, mei, charlie, dave, area):
    body = {
        "source": "grid_member",
        "category": "road",
        "area": area.pk,
        "description": "路面破损",
        "requirement": "修补",
        "deadline": "2030-01-01",
        "latitude": "27.123456",
        "longitude": "104.5",
    }
    assert api(charlie).post(f"{BASE}/problems/", body, format="json").status_code == 404
    assert api(dave).post(f"{BASE}/problems/", body, format="json").status_code == 404
    client = api(mei)
    for _ in range(2):
        response = client.post(f"{BASE}/problems/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-p")
        assert response.status_code == 201, response.json()
    assert Problem.objects.filter(description="路面破损").count() == 1
    assert response.json()["responsible"]["username"] == "bob"  # the area's owner


def test_transitions(world, api, mei, bob, charlie):
    path = f"{BASE}/problems/{world.problem.pk}/transitions/"
    assert api(charlie).post(path, {"to": "submitted"}).status_code == 404
    bad = api(mei).post(path, {"to": "closed"}, format="json")
    assert bad.status_code == 409 and bad.json()["code"] == "bad_transition"
    client = api(mei)
    for _ in range(2):
        response = client.post(
            path,
            {"to": "submitted", "note": "已清运", "photos": [jpeg()]},
            format="multipart",
            HTTP_IDEMPOTENCY_KEY="k-submit",
        )
        assert response.status_code == 201, response.json()
    assert ProblemEvent.objects.filter(problem=world.problem, to_state="submitted").count() == 1
    assert api(mei).post(path, {"to": "closed"}, format="json").status_code == 403
    accepted = api(bob).post(path, {"to": "closed"}, format="json")
    assert accepted.status_code == 201 and accepted.json()["actor"]["username"] == "bob"
    assert Problem.objects.get(pk=world.problem.pk).state == "closed"


def test_ticket_follow_up(world, api, sam, mei, charlie):
    ticket = Ticket.objects.get(problem=world.problem, colour="yellow")
    path = f"{BASE}/tickets/{ticket.pk}/follow-up/"
    body = {"interview_on": "2026-11-12", "interview_note": "约谈"}
    assert api(charlie).post(path, body, format="json").status_code == 404
    assert api(mei).post(path, body, format="json").status_code == 403
    response = api(sam).post(path, body, format="json")
    assert response.status_code == 200 and response.json()["interview_note"] == "约谈"
    red = api(sam).post(path, {"accountability": "通报批评"}, format="json")
    assert red.status_code == 400 and red.json()["code"] == "not_red"


def test_raise_problem_refused_to_a_viewer(world, api, town, area):
    """A party member sees the village's problems but does not file them: 403."""
    from conftest import _persona

    pam = _persona("pam", "party_member", unit=town.villages[0])
    assert api(pam).get(f"{BASE}/problems/{world.problem.pk}/").status_code == 200
    body = {
        "source": "villager",
        "category": "road",
        "area": area.pk,
        "description": "x",
        "requirement": "y",
        "deadline": "2030-01-01",
    }
    assert api(pam).post(f"{BASE}/problems/", body, format="json").status_code == 403
