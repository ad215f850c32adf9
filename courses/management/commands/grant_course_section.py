from django.core.management.base import BaseCommand, CommandError

from courses.services.trainers import (
    SECTION_PAGE_PERMISSIONS,
    grant_course_section,
    revoke_course_section,
    section_groups,
)


class Command(BaseCommand):
    help = (
        "Give a group of trainers one course section: they may add lessons to the course and edit it and its "
        "lessons, and submit them for review (no publishing). "
        "manage.py grant_course_section COURSE_SLUG --group NAME [--user USERNAME ...] [--revoke]"
    )

    def add_arguments(self, parser):
        parser.add_argument("course_slug")
        parser.add_argument("--group", required=True, help="Group name; created when missing.")
        parser.add_argument(
            "--user",
            action="append",
            default=[],
            dest="users",
            metavar="USERNAME",
            help="Put this account in the group and in the Trainer role (repeatable).",
        )
        parser.add_argument("--revoke", action="store_true", help="Take the section away from the group instead.")

    def handle(self, *args, course_slug, group, users, revoke, **options):
        from courses.models import CoursePage

        matches = list(CoursePage.objects.filter(slug=course_slug)[:2])
        if not matches:
            raise CommandError(f"No course with slug {course_slug!r}.")
        if len(matches) > 1:
            raise CommandError(f"Several courses have the slug {course_slug!r}; rename one first.")
        course = matches[0]
        group = group.strip()
        if not group:
            raise CommandError("The group name is empty.")
        if revoke:
            if users:
                raise CommandError("--user cannot be used with --revoke (remove people from the group in the admin).")
            removed = revoke_course_section(course, group)
            self.stdout.write(f"{course_slug}: {removed} page permission(s) of group {group!r} removed.")
            return
        try:
            _group, added = grant_course_section(course, group, users)
        except LookupError as error:
            raise CommandError(f"No account with username: {error}.") from None
        self.stdout.write(
            f"{course_slug}: group {group!r} holds {', '.join(SECTION_PAGE_PERMISSIONS)} "
            f"({added} new){'; members added: ' + ', '.join(users) if users else ''}. "
            f"Groups on this course: {', '.join(section_groups(course))}."
        )
