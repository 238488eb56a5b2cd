"""manage.py verify_ledger [--village ID]: recompute every village's hash chain."""

from django.core.management.base import BaseCommand, CommandError

from places.models import Unit
from points import ledger
from points.models import ChainHead, Entry


class Command(BaseCommand):
    help = "Check the points ledger's hash chains; report the first broken entry of a village."

    def add_arguments(self, parser):
        parser.add_argument("--village", type=int, help="only this village (unit id)")

    def handle(self, *args, village=None, **options):
        heads = ChainHead.objects.all().order_by("village_id")
        if village is not None:
            if not Unit.objects.filter(pk=village).exists():
                raise CommandError(f"No unit with id {village}.")
            heads = heads.filter(village_id=village)
        broken = 0
        for head in heads:
            entries = Entry.objects.filter(village_id=head.village_id).order_by("seq")
            found = ledger.first_break(entries.iterator(chunk_size=2000))
            if found is None and (head.seq, head.hash) != _last(head.village_id):
                found = (None, "the chain head does not match the last entry")
            if found is None:
                self.stdout.write(f"village {head.village_id}: ok, {head.seq} entries")
                continue
            broken += 1
            entry, problem = found
            where = f"entry #{entry.seq} (id {entry.pk})" if entry else "chain head"
            self.stdout.write(f"village {head.village_id}: BROKEN at {where}: {problem}")
        if broken:
            raise CommandError(f"{broken} village chain(s) broken.")


def _last(village_id):
    last = Entry.objects.filter(village_id=village_id).order_by("-seq").first()
    return (last.seq, last.hash) if last else (0, ledger.GENESIS)
