"""Demo data of record of work for the demo townships (called by `seed_demo`)."""

import random

from places.models import Unit


def seed(townships: list[Unit], rng: random.Random) -> dict[str, dict[str, int]]:
    """Load the demo data; returns counts per township name, printed by `seed_demo`."""
    return {}
