"""`manage.py seed_demo`: load the demo townships 达依乡 and 柳湖街道 with logins, in one go."""

import random
import time
from importlib import import_module

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

# A command is an entry point that composes apps, as a view does: it may use people, whose
# demo logins need the places built here (places' own modules never import people).
from people import demo as people_demo
from places import demo

# Likewise points: its demo lists, appraisals and ledgers need the households and the chiefs.
from points import demo as points_demo

# The domain apps built on points and people, in the order their demo data depends on each other:
# each `seed(townships, rng)` returns {township name: {what: count}} for the summary printed here.
DOMAIN_DEMOS = (
    "notify.demo",
    "shop.demo",
    "work.demo",
    "stars.demo",
    "grievances.demo",
    "activities.demo",
    "assessment.demo",
)

PREFIXES = {demo.DAYI.name: "dayi", demo.LIUHU.name: "liuhu"}


class Command(BaseCommand):
    help = (
        "Load the demo townships (达依乡, 柳湖街道): villages, groups, grids, 联户, households, "
        "residents, responsibility areas, a chief for every grid, one login per role "
        f"(password {people_demo.DEMO_PASSWORD}) and household points (lists, ten months of "
        "ledger, a quarterly publication). Deterministic; one transaction."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing if the demo townships are already loaded.",
        )

    def handle(self, *args, if_empty: bool = False, **options):
        if demo.exists():
            if if_empty:
                self.stdout.write("The demo townships are already loaded; nothing to do.")
                return
            raise CommandError("The demo townships are already loaded; use an empty database.")
        started = time.monotonic()
        with transaction.atomic():
            townships = [demo.build(layout) for layout in demo.LAYOUTS]
            people_demo.create_logins(*townships)
            for result in townships:
                users, owners = people_demo.fill_chiefs(result, PREFIXES[result.layout.name])
                demo.build_areas(result, owners)
                demo.record_import(result, users=users)
            points = points_demo.seed_points(
                [built.township for built in townships], random.Random("xiangzhi-demo-points")
            )
            domains = [
                import_module(name).seed(
                    [built.township for built in townships], random.Random(f"xiangzhi-{name}")
                )
                for name in DOMAIN_DEMOS
            ]
        for result in townships:
            self.stdout.write(
                f"{result.township.name}: {result.units} units, {len(result.households)} "
                f"households, {result.residents} residents, {result.areas} areas"
            )
            counts = points[result.township.name]
            self.stdout.write(
                f"{result.township.name}: {counts['lists']} points lists, {counts['entries']} "
                f"ledger entries, {counts['pending']} proposals waiting for review"
            )
            for counts_by_town in domains:
                found = counts_by_town.get(result.township.name)
                if found:
                    summary = ", ".join(f"{number} {what}" for what, number in found.items())
                    self.stdout.write(f"{result.township.name}: {summary}")
        self.stdout.write(f"Demo data loaded in {time.monotonic() - started:.1f} s.")
