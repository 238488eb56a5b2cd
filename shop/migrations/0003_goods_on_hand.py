"""Goods.on_hand: the sum of a goods' stock entries, kept by the services (see shop.services)."""

from django.db import migrations, models
from django.db.models import Sum


def fill(apps, schema_editor):
    Goods = apps.get_model("shop", "Goods")
    StockEntry = apps.get_model("shop", "StockEntry")
    sums = StockEntry.objects.values("goods_id").annotate(s=Sum("quantity"))
    for row in sums:
        Goods.objects.filter(pk=row["goods_id"]).update(on_hand=row["s"])


class Migration(migrations.Migration):
    dependencies = [("shop", "0002_insert_only_triggers")]

    operations = [
        migrations.AddField(
            model_name="goods",
            name="on_hand",
            field=models.IntegerField(default=0, editable=False, verbose_name="in stock"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="goods",
            constraint=models.CheckConstraint(
                condition=models.Q(("on_hand__gte", 0)), name="goods_on_hand_not_negative"
            ),
        ),
    ]
