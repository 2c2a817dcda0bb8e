from django.apps import AppConfig


def create_cache_table(sender, using="default", **kwargs) -> None:
    """`migrate` also makes the database cache's table (CACHE_URL's default), so no extra deploy step is
    needed; it does nothing when the table exists or the cache is not the database."""
    if sender.name != "flights":
        return
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=0)
    _cache_tables_unlogged(using)


def _cache_tables_unlogged(using: str) -> None:
    """On PostgreSQL the database cache's table is UNLOGGED: its writes (the public fragments' version, on every
    change a page shows) skip the write-ahead log and the flush to disk at commit. A crash or a failover empties
    it, which a cache may be: every fragment is then rendered afresh (config/fragments.py). Done once, when
    `migrate` finds the table still logged."""
    from django.conf import settings
    from django.db import connections

    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    tables = [
        cache["LOCATION"] for cache in settings.CACHES.values()
        if cache["BACKEND"].endswith("DatabaseCache") and cache.get("LOCATION")
    ]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute("SELECT relpersistence FROM pg_class WHERE oid = to_regclass(%s)", [table])
            row = cursor.fetchone()
            if row is not None and row[0] == "p":
                cursor.execute(f"ALTER TABLE {connection.ops.quote_name(table)} SET UNLOGGED")


class FlightsConfig(AppConfig):
    name = "flights"
    verbose_name = "Flights and fleet"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate
        from django.utils.module_loading import autodiscover_modules

        from config import fragments
        from flights import countdown, poll, roles  # noqa: F401  (poll registers the launch guards)
        from flights.models import Flight, Itinerary, Spaceport, Vehicle, VehicleModel
        from flights.signals import flight_status_changed

        post_migrate.connect(roles.sync_role_permissions, dispatch_uid="flights.sync_role_permissions")
        post_migrate.connect(create_cache_table, dispatch_uid="flights.create_cache_table")
        flight_status_changed.connect(countdown.on_flight_status_changed, dispatch_uid="flights.countdown")
        fragments.watch(Flight, Itinerary, Spaceport, Vehicle, VehicleModel)  # what public pages show of them
        # Every app's readiness checks, discovered the way admin.py is.
        autodiscover_modules("readiness")
