"""A stream row for every existing user (new users get theirs with the account).

Before this change a user's `realtime_event_streams` row was made by their first event or
first socket; from now on it is made with the account (realtime/signals.py), so a send
only locks rows that exist. This gives existing users theirs. Data only: no schema change.
"""

from django.conf import settings
from django.db import migrations

CHUNK = 5000


def create_streams(apps, schema_editor):
    EventStream = apps.get_model("realtime", "EventStream")
    User = apps.get_model(settings.AUTH_USER_MODEL)
    ids = list(User.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), CHUNK):
        EventStream.objects.bulk_create(
            [EventStream(user_id=i) for i in ids[start : start + CHUNK]], ignore_conflicts=True
        )


class Migration(migrations.Migration):
    dependencies = [
        ("realtime", "0002_message_send_function"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # Nothing to undo: the rows would have been made on first use anyway.
        migrations.RunPython(create_streams, migrations.RunPython.noop, elidable=True),
    ]
