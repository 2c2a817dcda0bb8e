"""The filter form of a list page (templates/_filters.html)."""

from django import template

register = template.Library()


@register.filter
def form_fields(form, names: str = ""):
    """The form's bound fields, or only those named (space-separated), in that order."""
    if not names:
        return list(form)
    return [form[name] for name in names.split()]
