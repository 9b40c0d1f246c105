"""S2 (ASVS 6.1.1, 6.3.1; as django-axes does): brute force is throttled on the username as well as the address,
without letting anyone lock a colleague out from elsewhere.

20 wrong passwords for one username from 20 addresses: refused from the 6th on, and the right password from a
new address then fails too, while the real user still signs in from the address they use, and another user signs
in from the attacker's address. A spray of 1 attempt against each of 50 usernames from 1 address: the address is
throttled at 30 failures with one alert, except for accounts that have signed in from it. Every attempt is
logged. Limits lift after the 15-minute window.
"""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from h2h.accounts.models import SignInAttempt
from h2h.audit.models import AuditEvent
from tests.factories import make_user

pytestmark = pytest.mark.django_db

PASSWORD = "a long enough passphrase 42"  # noqa: S105
HOSPITAL = "10.20.0.1"  # a trust's shared address


def user_with_password(username=None):
    user = make_user(username=username)
    user.set_password(PASSWORD)
    user.save()
    return user


def attempt(client, username, password, address):
    """One sign-in attempt from an address; True if it signed in."""
    response = client.post("/sign-in/", {"username": username, "password": password}, REMOTE_ADDR=address)
    signed_in = response.status_code == 302
    if signed_in:
        client.post("/sign-out/", REMOTE_ADDR=address)
    return signed_in


def test_a_username_attacked_from_20_addresses_is_throttled_but_its_owner_is_not_locked_out(client):
    victim, colleague = user_with_password(), user_with_password()
    assert attempt(client, victim.username, PASSWORD, HOSPITAL)  # the victim's usual address
    outcomes = [attempt(client, victim.username, f"guess {n}", f"203.0.113.{n}") for n in range(1, 21)]
    assert outcomes == [False] * 20
    attempts = SignInAttempt.objects.filter(username=victim.username)
    assert attempts.filter(outcome=SignInAttempt.Outcome.FAILED).count() == settings.H2H_SIGNIN_MAX_FAILURES == 5
    assert attempts.filter(outcome=SignInAttempt.Outcome.THROTTLED).count() == 15
    # The right password from yet another address now fails: successful sign-ins after the threshold = 0.
    assert not attempt(client, victim.username, PASSWORD, "203.0.113.99")
    # Refused before the password is checked, and the page says why.
    page = client.post("/sign-in/", {"username": victim.username, "password": PASSWORD}, REMOTE_ADDR="198.51.100.7")
    assert b"too many failed attempts" in page.content
    # No malicious lockout: the victim signs in from their usual address, a colleague from the attacker's.
    assert attempt(client, victim.username, PASSWORD, HOSPITAL)
    assert attempt(client, colleague.username, PASSWORD, "203.0.113.20")
    # The username is counted however it is typed.
    assert not attempt(client, victim.username.upper(), PASSWORD, "203.0.113.98")


def test_five_failures_from_one_address_throttle_that_pair_even_at_a_familiar_address(client):
    user = user_with_password()
    assert attempt(client, user.username, PASSWORD, HOSPITAL)
    for n in range(5):
        assert not attempt(client, user.username, f"guess {n}", HOSPITAL)
    assert not attempt(client, user.username, PASSWORD, HOSPITAL)
    # ...and lifts once the 15-minute window has passed since those failures.
    SignInAttempt.objects.filter(username=user.username).update(at=timezone.now() - timedelta(minutes=16))
    assert attempt(client, user.username, PASSWORD, HOSPITAL)


def test_a_password_spray_from_one_address_is_throttled_and_raises_one_alert(client, caplog):
    regular = user_with_password()
    assert attempt(client, regular.username, PASSWORD, HOSPITAL)
    newcomer = user_with_password()
    targets = [user_with_password() for _ in range(50)]
    outcomes = [attempt(client, user.username, "Winter2026!", HOSPITAL) for user in targets]
    assert outcomes == [False] * 50
    limit = settings.H2H_SIGNIN_ADDRESS_MAX_FAILURES
    at_hospital = SignInAttempt.objects.filter(ip_address=HOSPITAL)
    assert at_hospital.filter(outcome=SignInAttempt.Outcome.FAILED).count() == limit == 30
    assert at_hospital.filter(outcome=SignInAttempt.Outcome.THROTTLED).count() == 50 - limit
    alerts = AuditEvent.objects.filter(action=AuditEvent.Action.DENIED, object_type="sign-in")
    assert alerts.count() == 1 and alerts.get().ip_address == HOSPITAL
    assert any("address throttled" in r.getMessage() for r in caplog.records if r.levelname == "WARNING")
    # Someone who signs in from the hospital every day still can; an account new to it waits out the window.
    assert attempt(client, regular.username, PASSWORD, HOSPITAL)
    assert not attempt(client, newcomer.username, PASSWORD, HOSPITAL)
    assert attempt(client, newcomer.username, PASSWORD, "192.0.2.44")


def test_every_attempt_is_logged_without_the_password(client):
    user = user_with_password()
    made = 0
    for n in range(8):
        attempt(client, user.username, f"secret guess {n}", f"192.0.2.{n}")
        made += 1
    attempt(client, user.username, PASSWORD, HOSPITAL)
    attempt(client, "nobody-by-this-name", "secret guess x", HOSPITAL)
    made += 2
    rows = list(SignInAttempt.objects.values_list("username", "ip_address", "outcome"))
    assert len(rows) == made  # auth events logged = 100%
    assert ("nobody-by-this-name", HOSPITAL, "failed") in rows
    assert not any("secret guess" in str(row) for row in rows)
