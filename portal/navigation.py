"""Navigation by role: each person sees the links of the roles they hold, their home first."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from flights import roles


@dataclass(frozen=True)
class NavLink:
    label: str
    url: str


def _url(name: str, *args) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def role_links(user) -> list[NavLink]:
    """The links of every role `user` holds (one group query per request, cached on the user)."""
    links: list[NavLink] = []
    if not user.is_authenticated:
        return links

    def add(label: str, name: str) -> None:
        url = _url(name)
        if url and all(link.url != url for link in links):
            links.append(NavLink(label, url))

    if roles.user_has_role(user, roles.OPERATIONS):
        add("Today", "portal:operations-home")
    if roles.user_has_role(user, roles.FLIGHT_DIRECTOR):
        add("Director's home", "portal:director-home")
        add("Sign-off queue", "verification:queue")
    if roles.user_has_role(user, roles.FLIGHT_SURGEON):
        add("Review queue", "medical:review-queue")
    if roles.user_has_role(user, roles.OPERATIONS):
        add("Sign-off queue", "verification:queue")
        add("Admin", "admin:index")
    if roles.user_has_role(user, roles.PASSENGER) or not roles.user_has_any_role(user, roles.ALL_ROLES):
        add("My trips", "portal:passenger-home")
        add("Medical", "medical:home")
        add("Before you fly", "preflight:home")
        add("Profile", "tourism:profile")
    return links


def home_url(user) -> str:
    """Where `user` lands after log-in: the home of their most operational role."""
    if roles.user_has_role(user, roles.OPERATIONS):
        return reverse("portal:operations-home")
    if roles.user_has_role(user, roles.FLIGHT_DIRECTOR):
        return reverse("portal:director-home")
    if roles.user_has_role(user, roles.FLIGHT_SURGEON):
        return reverse("portal:surgeon-home")
    if user.is_staff and not roles.user_has_any_role(user, roles.ALL_ROLES):
        return reverse("admin:index")
    return reverse("portal:passenger-home")
