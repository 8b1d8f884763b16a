from django.db import migrations


class Migration(migrations.Migration):
    """The audit log moved to core (next to the access gates); its table stays where it is."""

    dependencies = [
        ("landscape", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="AuditEntry")],
            database_operations=[],
        ),
    ]
