"""On PostgreSQL the database itself refuses to update or delete a grievance's history rows.

The triggers and their functions are core.insert_only's; SQLite is guarded by the models.
"""

from django.db import migrations

from core.insert_only import guard


class Migration(migrations.Migration):
    dependencies = [
        ("grievances", "0001_grievances_and_duty"),
        ("points", "0002_insert_only_triggers"),
    ]

    operations = [guard("grievances_event")]
