"""On PostgreSQL the database itself refuses to update or delete spending entries and the
steps of village decisions (corrections are reversing entries; steps are history).

The triggers and their functions are core.insert_only's; SQLite is guarded by the models.
"""

from django.db import migrations

from core.insert_only import guard


class Migration(migrations.Migration):
    dependencies = [("activities", "0001_record_of_work")]

    operations = [guard("activities_spending", "activities_step")]
