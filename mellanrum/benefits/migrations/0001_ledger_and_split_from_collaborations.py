"""The ledger, its valuation and the cost splits, taken over from the collaborations app.

The tables already exist (created by collaborations 0002, 0003 and 0005) and keep their names,
so this migration changes only Django's state, never the database; the content types follow
the models to their new app.
"""

import django.core.validators
import django.db.models.deletion
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models


MODELS = ("costsplit", "economics", "ledgerrow")


def _move_content_types(apps: object, schema_editor: object, old: str = "collaborations",
                        new: str = "benefits") -> None:
    content_type = apps.get_model("contenttypes", "ContentType")  # type: ignore[attr-defined]
    content_type.objects.filter(app_label=old, model__in=MODELS).update(app_label=new)


def _return_content_types(apps: object, schema_editor: object) -> None:
    _move_content_types(apps, schema_editor, old="benefits", new="collaborations")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('collaborations', '0005_costsplit_game'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('landscape', '0005_admin_names_in_swedish'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='CostSplit',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('joint_cost', models.DecimalField(decimal_places=2, max_digits=14, verbose_name='joint cost')),
                        ('standalone', models.JSONField(verbose_name='stand-alone costs')),
                        ('game', models.JSONField(blank=True, default=dict)),
                        ('names', models.JSONField(default=dict)),
                        ('method', models.CharField(max_length=40, verbose_name='chosen method')),
                        ('method_label', models.CharField(max_length=200)),
                        ('amounts', models.JSONField()),
                        ('comparison', models.JSONField()),
                        ('in_core', models.BooleanField(null=True)),
                        ('core_is_empty', models.BooleanField(default=False)),
                        ('stability', models.TextField(blank=True)),
                        ('rationale', models.CharField(blank=True, max_length=1000, verbose_name='rationale')),
                        ('chosen_at', models.DateTimeField(auto_now_add=True)),
                        ('chosen_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('initiative', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='cost_splits', to='collaborations.initiative')),
                    ],
                    options={
                        'verbose_name': 'cost split',
                        'verbose_name_plural': 'cost splits',
                        'db_table': 'collaborations_costsplit',
                        'ordering': ['-chosen_at', '-pk'],
                        'get_latest_by': ['chosen_at', 'pk'],
                    },
                ),
                migrations.CreateModel(
                    name='Economics',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('discount_rate_percent', models.DecimalField(decimal_places=2, default=Decimal('3.5'), max_digits=5, validators=[django.core.validators.MinValueValidator(Decimal('0')), django.core.validators.MaxValueValidator(Decimal('20'))], verbose_name='discount rate (%)')),
                        ('hourly_cost', models.DecimalField(decimal_places=2, default=Decimal('600'), max_digits=8, validators=[django.core.validators.MinValueValidator(Decimal('0')), django.core.validators.MaxValueValidator(Decimal('10000'))], verbose_name='hourly cost (kr)')),
                        ('base_year', models.PositiveSmallIntegerField(blank=True, help_text='The year values are discounted to; empty means the first year of the ledger.', null=True, validators=[django.core.validators.MinValueValidator(2000), django.core.validators.MaxValueValidator(2100)], verbose_name='base year')),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('initiative', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='economics', to='collaborations.initiative')),
                        ('updated_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'valuation basis',
                        'verbose_name_plural': 'valuation bases',
                        'db_table': 'collaborations_economics',
                    },
                ),
                migrations.CreateModel(
                    name='LedgerRow',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('year', models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(2000), django.core.validators.MaxValueValidator(2100)], verbose_name='year')),
                        ('kind', models.CharField(choices=[('investment', 'Investment cost'), ('running', 'Running cost'), ('money', 'Benefit in money'), ('hours', 'Hours saved'), ('qualitative', 'Qualitative benefit')], max_length=16, verbose_name='kind')),
                        ('planned', models.DecimalField(blank=True, decimal_places=2, max_digits=14, null=True, verbose_name='planned')),
                        ('realised', models.DecimalField(blank=True, decimal_places=2, max_digits=14, null=True, verbose_name='realised')),
                        ('description', models.CharField(blank=True, max_length=500, verbose_name='description')),
                        ('version', models.PositiveIntegerField(default=1, editable=False)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('cost_split', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='ledger_rows', to='benefits.costsplit')),
                        ('initiative', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='ledger_rows', to='collaborations.initiative')),
                        ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='landscape.organisation', verbose_name='organisation')),
                        ('updated_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'ledger row',
                        'verbose_name_plural': 'ledger rows',
                        'db_table': 'collaborations_ledgerrow',
                        'ordering': ['organisation__name', 'year', 'kind', 'pk'],
                        'constraints': [models.UniqueConstraint(condition=models.Q(('cost_split__isnull', False)), fields=('cost_split', 'organisation'), name='one_share_per_split_and_partner')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(_move_content_types, _return_content_types),
    ]
