"""Keyed pseudonyms for the evaluator's export: NHS numbers replaced by an HMAC-SHA256, dates shifted per person.

The key is the setting H2H_PSEUDONYM_KEY (read from the environment of the same name). Without the key nobody can
turn a pseudonym back into an NHS number, not even by hashing every possible number (there are only a billion,
so a plain unkeyed hash would fall in minutes). The same key gives the same pseudonym in every export, so an
evaluator can join this year's file to last year's; a new key breaks that link, on purpose when a key leaks.
Keep it out of the repository and out of the database backups (docs/evaluation.md, "The pseudonymised export").
"""

import hashlib
import hmac
import os
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

MIN_KEY_LENGTH = 32
# Development and tests only (H2H_DEBUG or H2H_ALLOW_INSECURE_KEY): pseudonyms made with it protect nothing.
DEVELOPMENT_KEY = "h2h-development-pseudonym-key-not-for-real-data"  # noqa: S105
# Each person's dates move by the same number of days, between -MAX and +MAX, never 0.
MAX_SHIFT_DAYS = 30


class PseudonymKeyMissing(ImproperlyConfigured):
    pass


def pseudonym_key() -> bytes:
    key = getattr(settings, "H2H_PSEUDONYM_KEY", None) or os.environ.get("H2H_PSEUDONYM_KEY", "")
    if not key:
        if settings.DEBUG or os.environ.get("H2H_ALLOW_INSECURE_KEY"):
            return DEVELOPMENT_KEY.encode()
        raise PseudonymKeyMissing(
            "Set H2H_PSEUDONYM_KEY (at least 32 random characters, e.g. from `python -c \"import secrets; "
            "print(secrets.token_urlsafe(48))\"`) before making a pseudonymised export; see docs/evaluation.md")
    if len(key) < MIN_KEY_LENGTH:
        raise PseudonymKeyMissing(f"H2H_PSEUDONYM_KEY must be at least {MIN_KEY_LENGTH} characters long")
    return key.encode()


def _mac(key: bytes, purpose: str, value: str) -> bytes:
    # The purpose keeps the hash of a number and the seed of its date shift unrelated.
    return hmac.new(key, f"{purpose}:{value}".encode(), hashlib.sha256).digest()


def person_pseudonym(key: bytes, *, nhs_number: str, person_id: int) -> str:
    """64 hex characters. From the NHS number when there is one (the same person gets the same pseudonym in
    other datasets made with the same key); else from the service's own person record, prefixed "L" (local
    to this service) so the two kinds are never confused."""
    if nhs_number:
        return _mac(key, "nhs", nhs_number).hex()
    return "L" + _mac(key, "person", str(person_id)).hex()[:63]


def case_pseudonym(key: bytes, case_id: int) -> str:
    return _mac(key, "case", str(case_id)).hex()[:20]


def date_shift(key: bytes, person_basis: str) -> timedelta:
    """A person's offset: the same for every date of theirs, so intervals between them are kept exactly."""
    n = int.from_bytes(_mac(key, "shift", person_basis)[:8], "big") % (2 * MAX_SHIFT_DAYS)
    days = n - MAX_SHIFT_DAYS
    return timedelta(days=days if days < 0 else days + 1)  # -MAX..-1, 1..MAX: never no shift at all


def shifted(day: date | None, offset: timedelta | None) -> date | None:
    if day is None or offset is None:
        return day
    return day + offset
