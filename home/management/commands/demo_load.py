from django.core.management.base import BaseCommand

from home.demo.load import DEMO_USERS, demo_load


class Command(BaseCommand):
    help = "Load the demo content in Chinese and English (idempotent) and create the demo staff accounts."

    def handle(self, *args, **options):
        result = demo_load(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo content loaded."))
        self.stdout.write(f"Demo accounts (password for all: {result['password']}):")
        for username, role, _email in DEMO_USERS:
            self.stdout.write(f"  {username:<12} {role or 'administrator'}")
