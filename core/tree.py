"""Materialized paths: "everything under this unit" as one indexed range query.

A path is a string of fixed-width decimal segments, one per level ("0001" + "0007" + ...).
The subtree of path P is every path in [P, next(P)), where next(P) is P read as a number
plus one. A range on a plain B-tree index works the same on SQLite and PostgreSQL, whatever
the collation, unlike LIKE 'P%' which needs special operator classes on PostgreSQL.
"""

from django.db.models import Q

SEGMENT = 4
MAX_CHILDREN = 10**SEGMENT - 1


def segment(number: int) -> str:
    if not 0 < number <= MAX_CHILDREN:
        raise ValueError(f"path segment out of range: {number}")
    return str(number).zfill(SEGMENT)


def next_prefix(path: str) -> str:
    """The smallest path of the same length that is not under `path`."""
    return str(int(path) + 1).zfill(len(path))


def under(field: str, path: str) -> Q:
    """Q for rows whose `field` lies at or under `path`."""
    return Q(**{f"{field}__gte": path, f"{field}__lt": next_prefix(path)})


def under_any(field: str, paths) -> Q:
    """Q for rows under any of `paths` (an empty list matches nothing)."""
    query = Q(pk__in=[])
    for path in collapse(paths):
        query |= under(field, path)
    return query


def collapse(paths) -> list[str]:
    """Drop paths that lie under another path in the list, so each range appears once."""
    result: list[str] = []
    for path in sorted(set(paths)):
        if not result or not path.startswith(result[-1]):
            result.append(path)
    return result


def depth(path: str) -> int:
    return len(path) // SEGMENT
