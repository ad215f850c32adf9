from django.core.management.base import BaseCommand

from quizzes.services.attempts import close_expired_attempts


class Command(BaseCommand):
    help = (
        "Grade every attempt whose deadline (plus the 2 s grace) has passed, on the answers saved in time. "
        "Safe to run at any moment and in parallel; schedule it every minute."
    )

    def handle(self, *args, **options):
        graded = close_expired_attempts()
        self.stdout.write(f"{graded} expired attempt(s) graded")
