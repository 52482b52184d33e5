"""RemedialAction moves here from incidents; its table keeps its name (incidents_remedialaction).

State only: the model is created in this app's state and, in incidents 0009, deleted from that
app's state; the database is not touched, so an existing database keeps every row and every
foreign key pointing at the table. The foreign keys of other apps are re-pointed in their own
state (deadlines 0002, insights 0003) before incidents lets the model go (`run_before`, so the
incidents app, on a lower floor, names none of the apps above it). The content type is renamed
in place, so permissions granted on it still apply.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def rename_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="actions", model="remedialaction").exists():
        ContentType.objects.filter(app_label="incidents", model="remedialaction").update(app_label="actions")


def restore_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="incidents", model="remedialaction").exists():
        ContentType.objects.filter(app_label="actions", model="remedialaction").update(app_label="incidents")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("incidents", "0008_builtins_unique"),
        ("organisations", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]
    run_before = [("incidents", "0009_remedialaction_moved_to_actions")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="RemedialAction",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("title", models.CharField(max_length=300)),
                        ("details", models.TextField(blank=True)),
                        ("due_on", models.DateField(blank=True, db_index=True, null=True)),
                        (
                            "status",
                            models.CharField(
                                choices=[("open", "Open"), ("done", "Done"), ("cancelled", "Cancelled")],
                                db_index=True,
                                default="open",
                                max_length=20,
                            ),
                        ),
                        (
                            "source",
                            models.CharField(
                                choices=[
                                    ("investigation", "Investigation"),
                                    ("outcome_report", "Outcome report"),
                                    ("type_review", "Six-month type review"),
                                ],
                                default="investigation",
                                max_length=20,
                            ),
                        ),
                        (
                            "change_reference",
                            models.CharField(blank=True, max_length=100, verbose_name="change-management reference"),
                        ),
                        ("created_on", models.DateTimeField(auto_now_add=True)),
                        ("completed_on", models.DateTimeField(blank=True, null=True)),
                        (
                            "incident",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="remedial_actions",
                                to="incidents.incident",
                            ),
                        ),
                        (
                            "organisation",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="remedial_actions",
                                to="organisations.organisation",
                            ),
                        ),
                        (
                            "owner",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="remedial_actions",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={"db_table": "incidents_remedialaction", "ordering": ["due_on", "id"]},
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(rename_content_type, restore_content_type),
    ]
