"""`{% load medical %}`: role checks for the medical pages' navigation."""

from django import template

from flights import roles

register = template.Library()


@register.filter
def has_role(user, role: str) -> bool:
    return roles.user_has_role(user, role)
