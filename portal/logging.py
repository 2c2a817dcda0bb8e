"""Expected refusals (403, 404) log one line, not a traceback: they are answers, not faults."""

from __future__ import annotations

import logging

EXPECTED_STATUSES = {400, 403, 404, 405, 409}


class ExpectedRefusalsOneLine(logging.Filter):
    """Drops the traceback Django attaches to 'Forbidden (Permission denied)' and 'Not Found' records;
    the line (status and path) stays. A 500 keeps its traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if status in EXPECTED_STATUSES and record.exc_info:
            record.exc_info = None
            record.exc_text = None
        return True
