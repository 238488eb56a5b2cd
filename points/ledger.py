"""The hash chain of a village's points ledger.

Each entry's hash is SHA-256 over its content and the previous entry's hash, so changing,
removing or reordering any entry breaks every hash after it. The chain head (seq and hash) is
printed on each quarterly publication and on the village notice board; anyone can recompute
the chain from the entries and compare.

On PostgreSQL a supermarket redemption computes the same digest in SQL (the function
`shop_redeem`, shop/migrations/0004): a change to `content` or `digest` must be made there too,
and shop/tests/test_redeem_function.py fails until it is.
"""

import datetime
import hashlib
import json

GENESIS = "0" * 64


def _iso(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat(timespec="microseconds")
    return value.isoformat()


def note_digest(note: str) -> str:
    """The hash covers a digest of the note, not the note: the chain can be published for
    anyone to verify without publishing what officials wrote about a household."""
    return hashlib.sha256((note or "").encode("utf-8")).hexdigest()


def content(entry) -> list:
    """The fields an entry's hash covers, in a fixed order."""
    return [
        entry.village_id,
        entry.seq,
        entry.household_id,
        entry.kind,
        entry.amount,
        entry.item_id,
        _iso(entry.period),
        note_digest(entry.note),
        entry.proposal_id,
        entry.reverses_id,
        entry.proposed_by_id,
        entry.approved_by_id,
        _iso(entry.created_at),
        entry.prev_hash,
    ]


def digest(entry) -> str:
    text = json.dumps(content(entry), ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def first_break(entries) -> tuple[object, str] | None:
    """Walk a village's entries in seq order; return (entry, problem) at the first break."""
    expected_prev, expected_seq = GENESIS, 1
    for entry in entries:
        if entry.seq != expected_seq:
            return entry, f"sequence jumps from {expected_seq - 1} to {entry.seq}"
        if entry.prev_hash != expected_prev:
            return entry, "previous hash does not match the entry before it"
        if digest(entry) != entry.hash:
            return entry, "content does not match its hash"
        expected_prev, expected_seq = entry.hash, entry.seq + 1
    return None
