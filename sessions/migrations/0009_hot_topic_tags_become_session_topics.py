"""Issue 15: a session's topics are recorded in one place, GroupSession.topics, which the
monthly return counts (topics_month). The tags facilitators put on their notes move there
(added to whatever topics the session already had), then the notes' own tags go."""

from django.db import migrations


def copy_tags_to_sessions(apps, schema_editor):
    FacilitatorNote = apps.get_model("delivery", "FacilitatorNote")
    for note in FacilitatorNote.objects.prefetch_related("hot_topic_tags"):
        tags = list(note.hot_topic_tags.all())
        if tags:
            note.session.topics.add(*tags)


def copy_topics_to_notes(apps, schema_editor):
    FacilitatorNote = apps.get_model("delivery", "FacilitatorNote")
    for note in FacilitatorNote.objects.select_related("session"):
        note.hot_topic_tags.set(list(note.session.topics.all()))


class Migration(migrations.Migration):
    dependencies = [("delivery", "0008_one_to_one_support")]

    operations = [
        migrations.RunPython(copy_tags_to_sessions, copy_topics_to_notes),
        migrations.RemoveField(model_name="facilitatornote", name="hot_topic_tags"),
    ]
