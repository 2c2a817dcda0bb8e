"""Run our own on-orbit screening now, in this process: `manage.py screen_orbits`.

The same run the beat queues every TRAFFIC_SCREENING_INTERVAL_HOURS (recorded, with its progress, as a
ScreeningRun). Refused while a run is queued or running; exit status 2 when the run fails (the reason printed).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from flights.exceptions import DomainError
from flights.traffic.screening import screening_run_execute, screening_run_request


class Command(BaseCommand):
    help = "Screen every protected object in orbit against the tracked catalog now (as the periodic job does)."

    def handle(self, *args, **options):
        try:
            run = screening_run_request(dispatch=False)
        except DomainError as error:
            raise CommandError(error.message, returncode=2) from None
        run = screening_run_execute(run_id=run.pk, in_process=True)
        if run.status == run.Status.FAILED:
            raise CommandError(f"On-orbit screening failed: {run.error}", returncode=2)
        self.stdout.write(f"Run {run.pk}: {run.stage}")
        for entry in run.results:
            if entry["status"] == "failed":
                self.stdout.write(f"  {entry['name']} ({entry['flight']}): NOT screened: {entry['reason']}")
            else:
                self.stdout.write(
                    f"  {entry['name']} ({entry['flight']}): {entry['catalog_objects']} catalog objects, "
                    f"{entry['approaches_found']} approaches, {entry['events_created']} new events, "
                    f"{len(entry['attached'])} attached (docked), {entry['seconds']} s"
                )
