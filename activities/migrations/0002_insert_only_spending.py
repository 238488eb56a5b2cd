"""On PostgreSQL the database itself refuses to update or delete spending entries and the
steps of village decisions (corrections are reversing entries; steps are history).

The functions are the ones points/0002 defines (CREATE OR REPLACE keeps this migration
independent of it). SQLite is guarded by the application (Spending.save/delete).
"""

from django.db import migrations

TABLES = ["activities_spending", "activities_step"]

CREATE = """
CREATE OR REPLACE FUNCTION xiangzhi_insert_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'table % is insert-only: write a correcting entry instead', TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION xiangzhi_no_truncate() RETURNS trigger AS $$
BEGIN
    IF current_setting('xiangzhi.allow_truncate', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'table % is insert-only: it cannot be truncated', TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
"""

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
    schema_editor.execute(CREATE, params=None)
    for table in TABLES:
        schema_editor.execute(TRIGGERS.format(table=table), params=None)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(DROP.format(table=table))


class Migration(migrations.Migration):
    dependencies = [("activities", "0001_record_of_work")]

    operations = [migrations.RunPython(create_triggers, drop_triggers, elidable=False)]
