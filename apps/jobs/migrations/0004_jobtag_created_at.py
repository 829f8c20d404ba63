from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_created_at(apps, schema_editor):
    Job = apps.get_model("jobs", "Job")
    JobTag = apps.get_model("jobs", "JobTag")
    JobTag.objects.update(created_at=Subquery(Job.objects.filter(pk=OuterRef("job_id")).values("created_at")[:1]))


class Migration(migrations.Migration):
    dependencies = [("jobs", "0003_submission_tally_counters")]

    operations = [
        migrations.AddField(model_name="jobtag", name="created_at", field=models.DateTimeField(null=True)),
        migrations.RunPython(copy_created_at, migrations.RunPython.noop),
        migrations.AlterField(model_name="jobtag", name="created_at", field=models.DateTimeField()),
        migrations.RemoveIndex(model_name="jobtag", name="job_tag_lookup"),
        migrations.AddIndex(model_name="jobtag",
                            index=models.Index(fields=["tag", "-created_at", "-job"], name="job_tag_newest")),
    ]
