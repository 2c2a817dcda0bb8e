"""The four roles, as groups. The groups come from a data migration; their permissions are synced
after every migrate, because permissions for new models only exist once `post_migrate` has run."""

from __future__ import annotations

from django.apps import apps as global_apps

PASSENGER = "Passenger"
FLIGHT_SURGEON = "Flight Surgeon"
FLIGHT_DIRECTOR = "Flight Director"
OPERATIONS = "Operations"
ALL_ROLES = (PASSENGER, FLIGHT_SURGEON, FLIGHT_DIRECTOR, OPERATIONS)
# Who reads a flight's printable launch-day manifest (passengers' names, mass, gates; medical only pass/fail).
LAUNCH_MANIFEST_ROLES = (OPERATIONS, FLIGHT_DIRECTOR, FLIGHT_SURGEON)

# Apps whose records Operations staff run in admin. Delete is never granted: records are
# cancelled, retired or archived (14 CFR 450.219), never hard-deleted.
OPERATIONS_APPS = ("flights", "traffic", "verification", "tourism", "medical", "preflight", "accounts")  # accounts: two-factor resets
# Models whose content is private to passengers and flight surgeons (medical answers, documents).
# Operations and flight directors see a clearance's status, validity and restrictions, never these.
PRIVATE_MODELS = {
    "medical.medicalquestionnaire", "medical.historicalmedicalquestionnaire", "medical.clearancenote",
    "medical.medicalexamination", "medical.medicaldocument", "medical.medicalaccesslog",
}


def user_has_role(user, role: str) -> bool:
    if not user.is_authenticated:
        return False
    cache = getattr(user, "_role_names", None)
    if cache is None:
        cache = set(user.groups.values_list("name", flat=True))
        user._role_names = cache
    return role in cache


def user_has_any_role(user, roles: tuple[str, ...]) -> bool:
    return any(user_has_role(user, role) for role in roles)


def may_read_launch_manifest(user, flight) -> bool:
    """Operations, flight directors (and this flight's own director) and flight surgeons; no passenger."""
    if not user.is_authenticated:
        return False
    return user_has_any_role(user, LAUNCH_MANIFEST_ROLES) or (
        flight.flight_director_id is not None and flight.flight_director_id == user.pk
    )


def sync_role_permissions(sender=None, apps=global_apps, **kwargs) -> None:
    """Give Operations add/change/view on every model of the three apps; Flight Directors view."""
    try:
        Group = apps.get_model("auth", "Group")
        Permission = apps.get_model("auth", "Permission")
    except LookupError:
        return
    if not Group.objects.filter(name=OPERATIONS).exists():
        return  # the roles migration has not run yet
    perms = Permission.objects.filter(content_type__app_label__in=OPERATIONS_APPS).select_related("content_type")
    operations, director = Group.objects.get(name=OPERATIONS), Group.objects.get(name=FLIGHT_DIRECTOR)
    ops_perms, director_perms = [], []
    for perm in perms:
        label = f"{perm.content_type.app_label}.{perm.content_type.model}"
        action = perm.codename.split("_", 1)[0]
        if label in PRIVATE_MODELS or action == "delete":
            continue
        ops_perms.append(perm)
        if action == "view":
            director_perms.append(perm)
    operations.permissions.set(ops_perms)
    director.permissions.set(director_perms)


def ensure_roles() -> None:
    """Create any missing role group and sync permissions (after a flush, say)."""
    Group = global_apps.get_model("auth", "Group")
    for name in ALL_ROLES:
        Group.objects.get_or_create(name=name)
    sync_role_permissions()
