from django import template

from portal.checklist import booking_checklist as build_checklist

register = template.Library()


@register.inclusion_tag("portal/_checklist.html")
def booking_checklist(booking):
    """`{% booking_checklist booking %}`: the passenger's checklist for one live booking (portal.checklist)."""
    return {"checklist": build_checklist(booking)}
