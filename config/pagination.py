"""Page-number pagination that counts the rows only when the page cannot tell (issue 15).

DRF's PageNumberPagination runs `SELECT COUNT(*)` over the whole filtered query before it fetches a page: for
the flights list that is a second compilation and run of the seat counts. Here the page is fetched with one row
more than it holds: a page that comes back short (the usual case for the catalog, which fits on one) gives the
count as its offset plus its rows, and only a full page, or a page past the end, asks the database to count.
The response is the same (`count`, `next`, `previous`, `results`), and so are the 404s for pages out of range.
"""

from __future__ import annotations

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from rest_framework.pagination import PageNumberPagination


class CountWhenNeededPaginator(Paginator):
    def page(self, number):
        if self.orphans:  # an orphan page is merged into the one before it: only the count can tell
            return super().page(number)
        number = self._whole_number(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        if 0 < len(rows) <= self.per_page or (number == 1 and not rows):
            self.__dict__["count"] = bottom + len(rows)  # Paginator.count is a cached_property
        number = self.validate_number(number)  # counts only when the page came back full or empty
        return self._get_page(rows[: self.per_page], number, self)

    def _whole_number(self, number) -> int:
        """The checks of `validate_number` that come before it needs the count (same errors)."""
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from None
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        return number


class CountWhenNeededPagination(PageNumberPagination):
    """PageNumberPagination (PAGE_SIZE per page) with the count saved when the page already tells it."""

    django_paginator_class = CountWhenNeededPaginator
