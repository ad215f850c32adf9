from django.core.management.base import BaseCommand, CommandError

from courses.services.trainers import REVIEW_TASK_NAME, ensure_review_workflow


class Command(BaseCommand):
    help = (
        "Create the course review workflow (one approval task for the Reviewer group) and assign it to the "
        "course catalogue, so trainers submit lessons and reviewers approve them. Idempotent."
    )

    def handle(self, *args, **options):
        from courses.models import CourseIndexPage

        index = CourseIndexPage.objects.order_by("path").first()
        if index is None:
            raise CommandError("There is no course catalogue page yet.")
        workflow = ensure_review_workflow(index)
        assigned = workflow.workflow_pages.filter(page=index).exists()
        self.stdout.write(
            f"Workflow {workflow.name!r} with task {REVIEW_TASK_NAME!r}: "
            + ("assigned to the course catalogue." if assigned else "the catalogue keeps the workflow it already had.")
        )
