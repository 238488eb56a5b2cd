"""On PostgreSQL the database keeps a published month frozen and the case history insert-only.

A published close's scores, lines and rankings cannot be updated or deleted, nor can the
close's published content, hash or state; case actions and key-work marks are insert-only
(core.insert_only). SQLite is guarded by the services and models.
"""

from django.db import migrations

from core.insert_only import guard

FREEZE = """
CREATE OR REPLACE FUNCTION assessment_frozen_rows() RETURNS trigger AS $$
BEGIN
    -- One check per statement over the rows it touched (a transition table), so that clearing
    -- an unpublished close's 300,000 lines costs one query, not one per row.
    IF EXISTS (SELECT 1 FROM old_rows o JOIN assessment_close c ON c.id = o.close_id
                WHERE c.state = 'published')
    THEN
        RAISE EXCEPTION 'a published month close is frozen: its % rows cannot change',
            TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION assessment_frozen_close() RETURNS trigger AS $$
BEGIN
    IF OLD.state = 'published' AND (
        TG_OP = 'DELETE'
        OR NEW.state IS DISTINCT FROM OLD.state
        OR NEW.month IS DISTINCT FROM OLD.month
        OR NEW.township_id IS DISTINCT FROM OLD.township_id
        OR NEW.content IS DISTINCT FROM OLD.content
        OR NEW.content_hash IS DISTINCT FROM OLD.content_hash
        OR NEW.prev_hash IS DISTINCT FROM OLD.prev_hash
        OR NEW.published_at IS DISTINCT FROM OLD.published_at)
    THEN
        RAISE EXCEPTION 'month close % is published and frozen', OLD.id
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""

TABLES = ("assessment_score", "assessment_line", "assessment_ranking")


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FREEZE, params=None)
    for table in TABLES:
        for event in ("UPDATE", "DELETE"):  # transition tables take one event per trigger
            schema_editor.execute(
                f"CREATE TRIGGER {table}_frozen_{event.lower()} AFTER {event} ON {table} "
                "REFERENCING OLD TABLE AS old_rows "
                "FOR EACH STATEMENT EXECUTE FUNCTION assessment_frozen_rows()",
                params=None,
            )
    schema_editor.execute(
        "CREATE TRIGGER assessment_close_frozen BEFORE UPDATE OR DELETE ON assessment_close "
        "FOR EACH ROW EXECUTE FUNCTION assessment_frozen_close()",
        params=None,
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        for event in ("update", "delete"):
            schema_editor.execute(
                f"DROP TRIGGER IF EXISTS {table}_frozen_{event} ON {table}", params=None
            )
    schema_editor.execute(
        "DROP TRIGGER IF EXISTS assessment_close_frozen ON assessment_close", params=None
    )


class Migration(migrations.Migration):
    dependencies = [("assessment", "0001_assessment")]

    operations = [
        migrations.RunPython(create, drop),
        guard("assessment_caseaction", "assessment_keyworkmark"),
    ]
