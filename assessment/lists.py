"""The red and black lists (红黑榜) from a ranking: the rule, stated once, and its notes.

The rule, as printed under every list:
- Units are ranked by score, highest first; equal scores share a rank.
- The red list takes the first N places, the black list the last M (the township's sizes).
- Units tied at a list's boundary all go on it, so a list can be longer than N or M.
- A unit is never on both: tied units whose places reach into both lists are on neither.
- With fewer than N + M units, both lists are shortened in proportion (N·k/(N+M) and
  M·k/(N+M), rounded down), so that at least the middle is on neither list.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _


@dataclass
class Lists:
    red: list[int] = field(default_factory=list)
    black: list[int] = field(default_factory=list)
    red_size: int = 0  # the sizes used, after any shortening
    black_size: int = 0
    shortened: bool = False
    red_grew: bool = False  # ties at the boundary made the list longer
    black_grew: bool = False
    on_neither: list[int] = field(default_factory=list)  # tied across both lists

    def notes(self) -> dict:
        return {
            "red_size": self.red_size,
            "black_size": self.black_size,
            "shortened": self.shortened,
            "red_grew": self.red_grew,
            "black_grew": self.black_grew,
            "tied_across": len(self.on_neither),
        }


def sizes(count: int, red: int, black: int) -> tuple[int, int, bool]:
    """The list sizes for `count` units: as configured, or shortened in proportion."""
    if count >= red + black or red + black == 0:
        return red, black, False
    return count * red // (red + black), count * black // (red + black), True


def assign(scores: list[tuple[int, Decimal]], red: int, black: int) -> Lists:
    """Which units go on the red and the black list; `scores` is (unit id, score) pairs."""
    ordered = sorted(scores, key=lambda pair: (-pair[1], pair[0]))
    count = len(ordered)
    red_n, black_n, shortened = sizes(count, red, black)
    result = Lists(red_size=red_n, black_size=black_n, shortened=shortened)
    position = 0
    while position < count:  # one tied group per pass: places [first, last], 1-based
        end = position
        while end + 1 < count and ordered[end + 1][1] == ordered[position][1]:
            end += 1
        first, last = position + 1, end + 1
        ids = [unit for unit, _ in ordered[position : end + 1]]
        reaches_red = red_n > 0 and first <= red_n
        reaches_black = black_n > 0 and last > count - black_n
        if reaches_red and reaches_black:
            result.on_neither.extend(ids)
        elif reaches_red:
            result.red.extend(ids)
            result.red_grew |= last > red_n
        elif reaches_black:
            result.black.extend(ids)
            result.black_grew |= first <= count - black_n
        position = end + 1
    return result


def competition_ranks(values: list) -> list[int]:
    """The places of `values` sorted best first: equal values share a place (1, 1, 3 …)."""
    ranks: list[int] = []
    for position, value in enumerate(values, start=1):
        ranks.append(position if position == 1 or value != values[position - 2] else ranks[-1])
    return ranks


# The rule and what it did in a month, in words (the officials' month page and the board).


def rule_text(sizes: dict) -> list[str]:
    """The list rule of assessment/lists.py, as printed under every list."""
    return [
        _("Villages are ranked by score, highest first; equal scores share a rank."),
        _("The red list takes the first %(red)s places, the black list the last %(black)s.")
        % {"red": sizes.get("red", 0), "black": sizes.get("black", 0)},
        _("Villages tied at a list's boundary all go on it, so a list can be longer."),
        _(
            "A village is never on both lists: tied villages whose places reach into both "
            "lists are on neither."
        ),
        _(
            "With fewer villages than the two lists together, both lists are shortened in "
            "proportion, so that at least the middle is on neither."
        ),
    ]


def notes_text(notes: dict, sizes: dict, count: int) -> list[str]:
    """What the rule did this month (content["notes"]), in words."""
    lines = []
    if notes.get("shortened"):
        lines.append(
            _(
                "Only %(count)s villages were ranked, fewer than the lists' %(total)s places: "
                "the red list was shortened to %(red)s and the black list to %(black)s."
            )
            % {
                "count": count,
                "total": sizes.get("red", 0) + sizes.get("black", 0),
                "red": notes.get("red_size", 0),
                "black": notes.get("black_size", 0),
            }
        )
    if notes.get("red_grew"):
        lines.append(
            _("Villages tied at the red list's last place are all on it (%(size)s places).")
            % {"size": notes.get("red_size", 0)}
        )
    if notes.get("black_grew"):
        lines.append(
            _("Villages tied at the black list's last place are all on it (%(size)s places).")
            % {"size": notes.get("black_size", 0)}
        )
    if notes.get("tied_across"):
        lines.append(
            _("Villages tied across both lists, so on neither: %(count)s.")
            % {"count": notes["tied_across"]}
        )
    return lines
