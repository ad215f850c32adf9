from django.core.management.base import BaseCommand

from elearning import seed


class Command(BaseCommand):
    help = (
        "Load the demo content: the units of Phú Lương, site settings, home page and news, one account per role, "
        "then the courses and contest demo data. Idempotent: a second run changes nothing. Prints the demo accounts."
    )

    def handle(self, *args, **options):
        seed.run(stdout=self.stdout)
