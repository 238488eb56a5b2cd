"""`manage.py escalate`: three-colour supervision for every township (run daily): the work
ledger's problems, then the overdue grievances (grievances.jobs.escalate, same rules)."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from grievances import jobs as grievance_jobs
from places.models import Unit
from work import escalation


class Command(BaseCommand):
    help = (
        "Issue white, yellow and red supervision tickets for overdue problems and overdue "
        "grievances, by each township's rules. Safe to run any number of times a day."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="The day to escalate for (YYYY-MM-DD; default today).")
        parser.add_argument(
            "--township", action="append", help="A township's name or id (repeatable)."
        )

    def handle(self, *args, date=None, township=None, **options):
        day = None
        if date:
            try:
                day = datetime.date.fromisoformat(date)
            except ValueError as exc:
                raise CommandError(f"--date: {exc}") from exc
        townships = None
        if township:
            query = Q(pk__in=[])
            for value in township:
                query |= Q(name=value) | (Q(pk=int(value)) if value.isdigit() else Q(pk__in=[]))
            townships = list(Unit.objects.filter(query, kind=Unit.Kind.TOWNSHIP))
            if not townships:
                raise CommandError(f"No township {', '.join(township)}.")
        result = escalation.escalate(day=day, townships=townships)
        created = ", ".join(f"{colour} {n}" for colour, n in result.created.items())
        self.stdout.write(
            f"{result.day}: tickets {created}; ended {result.ended}; "
            f"messages queued {result.announced}"
        )
        grievances = grievance_jobs.escalate(day=result.day, townships=townships)
        created = ", ".join(f"{colour} {n}" for colour, n in grievances.created.items())
        self.stdout.write(
            f"{grievances.day}: grievance tickets {created}; ended {grievances.ended}; "
            f"messages queued {grievances.announced}"
        )
