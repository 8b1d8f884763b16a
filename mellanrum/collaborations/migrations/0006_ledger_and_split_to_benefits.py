"""The ledger, its valuation and the cost splits moved to the benefits app.

Only Django's idea of which app owns the models changes; the tables stay as they are (the
benefits models keep their names with ``db_table``), so no row is touched.
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('collaborations', '0005_costsplit_game'),
        ('benefits', '0001_ledger_and_split_from_collaborations'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name='LedgerRow'),
                migrations.DeleteModel(name='CostSplit'),
                migrations.DeleteModel(name='Economics'),
            ],
            database_operations=[],
        ),
    ]
