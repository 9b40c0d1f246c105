"""Small-number suppression for aggregate figures shown to people who must not identify anyone.

Follows the NHS Digital HES disclosure-control method (see ../shared/security-checks.md): counts from 1 to 7
are shown as a mark, every other count is rounded to the nearest 5. Zero stays zero.
"""

SUPPRESSED = "*"


def suppress(count: int) -> str:
    if count == 0:
        return "0"
    if 1 <= count <= 7:
        return SUPPRESSED
    return str(5 * round(count / 5))
