"""Values a spreadsheet must show as text, never work out (CSV/formula injection, OWASP; security check I3).

A cell is read as a formula when it starts with = + - @ (LibreOffice also | and %), and spreadsheets skip
leading spaces, a byte-order mark and control characters before deciding; a leading tab or carriage return is
treated the same way. Such text gets an apostrophe in front (CSV) or the quote prefix (XLSX).
"""

import re

FORMULA_TRIGGER = re.compile(r"^[\s\ufeff\x00-\x1f]*[=+\-@|%]|^[\t\r]")


def spreadsheet_safe(value):
    """The value for a CSV cell: text that would be read as a formula gets a leading apostrophe; numbers,
    dates and empty cells pass unchanged."""
    if isinstance(value, str) and FORMULA_TRIGGER.match(value):
        return "'" + value
    return value
