"""On PostgreSQL the database refuses to update or delete a problem's history or task reports.

The trigger functions come from points' migration 0002; SQLite is guarded by the models.
"""

from django.db import migrations

TABLES = ["work_problemevent", "work_taskreport"]

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
    dependencies = [
        ("work", "0001_work_lists_problems_tickets"),
        ("points", "0002_insert_only_triggers"),
    ]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
