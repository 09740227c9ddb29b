"""A share link's token is a credential in a URL: the server's logs (Uvicorn's access log,
the API's error log) write paths down, so the token is cut out of every line they log."""

from __future__ import annotations

import logging
import re

_TOKEN = re.compile(r"(/p/)[A-Za-z0-9_-]{16,}")
REDACTED = r"\1[token]"
LOGGERS = ("uvicorn.access", "uvicorn.error", "offerwright.api")


def redacted(text: str) -> str:
    return _TOKEN.sub(REDACTED, text)


class RedactTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        # Each argument in place (Uvicorn's access formatter reads them one by one), then
        # the line as written, for a path split between the format and an argument.
        if isinstance(record.args, tuple):
            record.args = tuple(
                redacted(arg) if isinstance(arg, str) else arg for arg in record.args
            )
        if isinstance(record.msg, str):
            record.msg = redacted(record.msg)
        message = record.getMessage()
        if _TOKEN.search(message):
            record.msg, record.args = redacted(message), ()
        return True


def install() -> None:
    """Filter the loggers that write request paths (once per process)."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(existing, RedactTokens) for existing in logger.filters):
            logger.addFilter(RedactTokens())
