"""Staff sessions pass the code step before anything else.

After django_otp's OTPMiddleware (which puts `is_verified()` on request.user): an account that must use
two factors and has not entered a code in this session is sent to the code step (or to enrolment, when
it has no device) from every page, admin included. The API is left to its authentication class
(accounts.api), which answers 403 with the API's error body instead of a redirect.
"""

from __future__ import annotations

from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django_htmx.http import HttpResponseClientRedirect

from accounts.policy import is_two_factor_verified, requires_two_factor

# Pages a staff session may see before the code step: the step itself, logging out, and the admin's
# own log-in form (which asks for the code).
EXEMPT_VIEWS = {"accounts:two-factor", "accounts:two-factor-setup", "logout", "admin:login", "admin:logout"}
API_PREFIX = "/api/"


class TwoFactorRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith(API_PREFIX):
            return None
        match = request.resolver_match
        if match is not None and match.view_name in EXEMPT_VIEWS:
            return None
        user = request.user
        if not requires_two_factor(user) or is_two_factor_verified(user):
            return None
        target = f"{reverse('accounts:two-factor')}?{urlencode({'next': request.get_full_path()})}"
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(target)
        return redirect(target)
