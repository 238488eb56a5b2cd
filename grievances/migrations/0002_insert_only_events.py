"""On PostgreSQL the database itself refuses to update or delete a grievance's history rows.

Reuses the trigger functions of points/0002 (xiangzhi_insert_only, xiangzhi_no_truncate).
SQLite is guarded by the application (Event.save/delete).
"""

from django.db import migrations

TABLE = "grievances_event"

TRIGGERS = f"""
CREATE TRIGGER {TABLE}_insert_only BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION xiangzhi_insert_only();
CREATE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE}
    FOR EACH STATEMENT EXECUTE FUNCTION xiangzhi_no_truncate();
"""

DROP = f"""
DROP TRIGGER IF EXISTS {TABLE}_insert_only ON {TABLE};
DROP TRIGGER IF EXISTS {TABLE}_no_truncate ON {TABLE};
"""


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGERS, params=None)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("grievances", "0001_grievances_and_duty"),
        ("points", "0002_insert_only_triggers"),
    ]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
