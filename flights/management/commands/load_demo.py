from django.core.management.base import BaseCommand

from flights import demo
from flights.launch_windows import launch_windows_compute
from flights.models import WindowComputation


class Command(BaseCommand):
    help = "Load realistic demo data (spaceports, vehicles, itineraries, flights, one user per role). Idempotent."

    def handle(self, *args, **options):
        result = demo.load()
        # Computed here, not left for a worker: a fresh machine may have no broker or worker running yet,
        # and the demo should not start with computations waiting for one (a redelivered task finds them done).
        for computation in WindowComputation.objects.filter(status=WindowComputation.Status.QUEUED).order_by("id"):
            computation = launch_windows_compute(computation=computation, in_process=True)
            self.stdout.write(f"Launch windows for {computation.flight.code}: {computation.stage or computation.error}")
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded: {result['flights']} flights."))
        self.stdout.write(f"Demo users (password: {result['password']}):")
        for username, user in result["users"].items():
            roles = ", ".join(user.groups.values_list("name", flat=True))
            self.stdout.write(f"  {username:<10} {roles}")
