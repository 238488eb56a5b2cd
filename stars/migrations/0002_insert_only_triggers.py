"""On PostgreSQL the database itself refuses to update or delete rating entries and notices.

The triggers and their functions are core.insert_only's; SQLite is guarded by the models.
"""

from django.db import migrations

from core.insert_only import guard


class Migration(migrations.Migration):
    dependencies = [("stars", "0001_star_evaluation")]

    operations = [guard("stars_ratingentry", "stars_starnotice")]
