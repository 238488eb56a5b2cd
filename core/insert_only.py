"""Insert-only tables on PostgreSQL: triggers that refuse UPDATE, DELETE and TRUNCATE.

One definition for every app's migration: `guard("app_table", ...)` is a migration operation.
The two trigger functions are created with CREATE OR REPLACE, so any app's migration may run
first. SQLite has no such triggers; the models refuse updates and deletes there.
"""

from django.db import migrations

FUNCTIONS = """
CREATE OR REPLACE FUNCTION xiangzhi_insert_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'table % is insert-only: write a correcting entry instead', TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;

-- Emptying a whole table is refused too, unless the session says it is wiping a test or
-- restoring a backup (SET xiangzhi.allow_truncate = 'on'); the test settings set it so that
-- Django can flush its test database between transactional tests.
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


def guard(*tables: str) -> migrations.RunPython:
    """A migration operation making `tables` insert-only on PostgreSQL (reversible)."""

    def create(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute(FUNCTIONS, params=None)
        for table in tables:
            schema_editor.execute(TRIGGERS.format(table=table), params=None)

    def drop(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for table in tables:
            schema_editor.execute(DROP.format(table=table), params=None)

    return migrations.RunPython(create, drop)
