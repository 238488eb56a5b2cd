"""On PostgreSQL the database itself refuses to update or delete ledger rows and publications.

The triggers and their functions are core.insert_only's; SQLite is guarded by the models.
"""

from django.db import migrations

from core.insert_only import guard


class Migration(migrations.Migration):
    dependencies = [("points", "0001_initial")]

    operations = [guard("points_entry", "points_publication")]
