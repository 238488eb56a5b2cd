"""Run in a separate process by tests/test_backup.py: seed a small township, then keep writing.

python -c "import tests.backup_support as s; s.main()" seed|write STOPFILE
"""

import itertools
import random
import sys
import time
from pathlib import Path

import django


def seed() -> None:
    from django.db import transaction

    from places.tests.factories import build_township

    with transaction.atomic():
        town = build_township(per_joint=5)
    write_some(town.households, 200, random.Random(1))
    print(f"seeded {len(town.households)} households", flush=True)


def write_some(households, count: int, rng: random.Random) -> None:
    from django.db import transaction
    from django.utils import timezone

    from points import services

    for _ in range(count):
        household = rng.choice(households)
        with transaction.atomic():
            services.append(
                village=household.group.village,
                household=household,
                kind="award",
                amount=rng.choice([-3, -1, 1, 2, 5]),
                period=timezone.localdate(),
                proposed_by=None,
                approved_by=None,
                note="backup test",
            )


def write(stop: Path) -> None:
    """Append entries one transaction at a time until `stop` exists; print a running count."""
    from places.models import Household

    households = list(Household.objects.select_related("group__village"))
    rng = random.Random(2)
    for written in itertools.count(1):
        write_some(households, 1, rng)
        if written % 20 == 0:
            print(written, flush=True)
        if stop.exists():
            print(f"wrote {written}", flush=True)
            return
        time.sleep(0.002)


def main() -> None:
    django.setup()
    if sys.argv[1] == "seed":
        seed()
    else:
        write(Path(sys.argv[2]))


if __name__ == "__main__":
    main()
