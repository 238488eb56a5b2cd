"""The work demo (work/demo.py) on the real demo townships: fast, in every state, and the
problems the browser test needs. Loaded once per test through seed_demo, rolled back after."""

import io

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from people.models import User
from work import demo
from work.models import Problem, Task, Ticket


@pytest.mark.django_db
def test_demo_is_complete_and_fast():
    call_command("seed_demo", stdout=io.StringIO())
    states = dict(Problem.objects.values_list("state").annotate(n=Count("id")))
    assert set(states) == {"open", "rectifying", "submitted", "closed", "withdrawn"}
    assert sum(states.values()) == 300
    today = timezone.localdate()
    assert Problem.objects.filter(state__in=Problem.ACTIVE, deadline__lt=today).exists()
    assert set(Ticket.objects.values_list("colour", flat=True)) == {"white", "yellow", "red"}
    assert Task.objects.filter(work_list__month=today.replace(day=1)).count() > 100
    member = User.objects.get(username="dayi_member")
    e2e = Problem.objects.get(description=demo.E2E_PROBLEM)
    assert e2e.responsible == member and e2e.state == "rectifying"
    assert e2e.grid.name == demo.E2E_GRID
