"""On PostgreSQL the database itself refuses to update or delete stock entries and receipts.

The triggers and their functions are core.insert_only's; SQLite is guarded by the models.
"""

from django.db import migrations

from core.insert_only import guard


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial"), ("points", "0002_insert_only_triggers")]

    operations = [guard("shop_stockentry", "shop_receipt", "shop_receiptline", "shop_receiptvoid")]
