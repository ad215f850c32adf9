from django.db import migrations

from elearning.roles import ORGANIZER, grant, revoke

PERMISSIONS = {
    ORGANIZER: [
        f"quizzes.{action}_{model}"
        for model in ("questionbank", "question", "choice", "attempt", "standing")
        for action in ("add", "change", "delete", "view")
        if not (model in ("attempt", "standing") and action != "view")
    ],
}


class Migration(migrations.Migration):
    dependencies = [("quizzes", "0001_initial"), ("elearning", "0002_roles_and_home")]

    operations = [
        migrations.RunPython(lambda apps, se: grant(apps, PERMISSIONS), lambda apps, se: revoke(apps, PERMISSIONS)),
    ]
