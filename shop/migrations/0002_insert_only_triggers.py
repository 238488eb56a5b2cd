"""On PostgreSQL the database itself refuses to update or delete stock entries and receipts.

Reuses the trigger functions of points/0002 (xiangzhi_insert_only, xiangzhi_no_truncate). SQLite
is guarded by the application (InsertOnly.save/delete).
"""

from django.db import migrations

TABLES = ["shop_stockentry", "shop_receipt", "shop_receiptline", "shop_receiptvoid"]

TRIGGERS = """
CREATE TRIGGER {table}_insert_only BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION xiangzhi_insert_only();
CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION xiangzhi_no_truncate();
"""

DROP = """
DROP TRIGGER IF EXISTS {table}_insert_only ON {table};
DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};
"""


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(TRIGGERS.format(table=table), params=None)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(DROP.format(table=table), params=None)


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial"), ("points", "0002_insert_only_triggers")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
