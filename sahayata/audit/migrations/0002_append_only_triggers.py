"""Database triggers that refuse to change or delete stored audit events and checkpoints
(dialect SQL in ``sahayata.core.dialect``)."""

from django.db import migrations


def install(apps, schema_editor):
    from sahayata.core import dialect

    AuditEvent = apps.get_model("audit", "AuditEvent")
    AuditCheckpoint = apps.get_model("audit", "AuditCheckpoint")
    alias = schema_editor.connection.alias
    dialect.append_only_install(
        AuditEvent,
        seal_columns=("content_hash", "seal_seq", "chain_hash"),
        seq_column="seal_seq",
        pruned_through=(AuditCheckpoint, "through_seq"),
        using=alias,
    )
    dialect.append_only_install(AuditCheckpoint, using=alias)


def remove(apps, schema_editor):
    from sahayata.core import dialect

    AuditEvent = apps.get_model("audit", "AuditEvent")
    AuditCheckpoint = apps.get_model("audit", "AuditCheckpoint")
    alias = schema_editor.connection.alias
    dialect.append_only_drop(AuditEvent, using=alias)
    dialect.append_only_drop(AuditCheckpoint, using=alias)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(install, remove)]
