from django.core.management.base import BaseCommand

from flights import demo


class Command(BaseCommand):
    help = "Load realistic demo data (spaceports, vehicles, itineraries, flights, one user per role). Idempotent."

    def handle(self, *args, **options):
        result = demo.load()
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded: {result['flights']} flights."))
        self.stdout.write(f"Demo users (password: {result['password']}):")
        for username, user in result["users"].items():
            roles = ", ".join(user.groups.values_list("name", flat=True))
            self.stdout.write(f"  {username:<10} {roles}")
