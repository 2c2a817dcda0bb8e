from django.utils.functional import SimpleLazyObject

from portal.navigation import role_links


def navigation(request):
    """`nav_links`: evaluated only by pages that render the navigation (base.html)."""
    user = getattr(request, "user", None)
    return {"nav_links": SimpleLazyObject(lambda: role_links(user) if user is not None else [])}
