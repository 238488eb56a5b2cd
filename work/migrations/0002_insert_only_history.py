"""On PostgreSQL the database refuses to update or delete a problem's history or task reports.

The triggers and their functions are core.insert_only's; SQLite is guarded by the models.
"""

from django.db import migrations

from core.insert_only import guard


class Migration(migrations.Migration):
    dependencies = [
        ("work", "0001_work_lists_problems_tickets"),
        ("points", "0002_insert_only_triggers"),
    ]

    operations = [guard("work_problemevent", "work_taskreport")]
