"""A logging filter that blanks calendar feed tokens out of log lines (request lines, "Not Found: …").

The feed address is a bearer secret: anyone with it reads the user's diary. Attach this filter to every
handler (see docs/formats/calendar-feed.md).
"""

import logging
import re

FEED_PATH = re.compile(r"(/calendar/feed/)[^/\s\"'?]+")


def redact(text: str) -> str:
    return FEED_PATH.sub(r"\1[redacted].ics", text)


class RedactFeedTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "/calendar/feed/" in message:
            record.msg, record.args = redact(message), ()
        return True
