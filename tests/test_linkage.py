"""Linking hospital activity to the service's people (h2h/hospital/linkage.py, services.py): by valid NHS
number and matching date of birth only; mismatches and shared numbers go to a review; nothing links by
name."""

import random
from datetime import date

import pytest

from h2h.audit.models import AuditEvent
from h2h.hospital import checks
from h2h.hospital.models import Admission, Attendance, LinkReview
from h2h.hospital.services import ReviewRefused, review_decide
from h2h.lib.identifiers import nhs_number_check_digit, nhs_number_is_valid
from tests.factories import make_case
from tests.test_hospital_import import (
    ADA,
    ADA_DOB,
    BEN,
    BEN_DOB,
    CAL,
    CAL_DOB,
    DEV,
    admission,
    ago,
    consenting,
    csv_bytes,
    evaluator,  # noqa: F401 — a fixture
    upload,
)

pytestmark = pytest.mark.django_db


def _sql_valid(numbers: list[str], tmp_path) -> list[bool]:
    con = checks.connect(tmp_path)
    con.execute("CREATE TABLE n (i INTEGER, v VARCHAR)")
    con.executemany("INSERT INTO n VALUES (?, ?)", list(enumerate(numbers)))
    rows = con.execute("SELECT coalesce(h2h_nhs_digits(p) AND h2h_nhs_check(CASE WHEN h2h_nhs_digits(p) "
                       "THEN CAST(p AS BIGINT) END), false) FROM (SELECT i, h2h_nhs(v) AS p FROM n) "
                       "ORDER BY i")
    return [valid for (valid,) in rows.fetchall()]


def test_the_sql_check_digit_agrees_with_h2h_lib_identifiers(tmp_path):
    rng = random.Random(5)
    # Every last digit, right or wrong, on 3,000 numbers; then random numbers, and odd ones.
    numbers = [f"999{k:06d}{d}" for k in range(0, 3000) for d in range(10)]
    numbers += [f"{rng.randrange(10**9):09d}{rng.randrange(10)}" for _ in range(20000)]
    numbers += ["0000000000", "943 476 5919", "943-476-5919", "94347659", "94347659190", "abcdefghij", "",
                "9434765919", "4010232137"]
    expected = [nhs_number_is_valid(n) for n in numbers]
    assert _sql_valid(numbers, tmp_path) == expected
    assert 4000 < sum(expected) < len(expected) - 4000  # both valid and invalid numbers were tried
    # Numbers whose check digit would be 10 are never valid, in both.
    never = next(f"999{k:06d}" for k in range(1000) if nhs_number_check_digit(f"999{k:06d}") is None)
    assert _sql_valid([never + str(d) for d in range(10)], tmp_path) == [False] * 10


@pytest.fixture
def ada():
    return consenting(ADA, ADA_DOB, last_name="Smith")


def test_a_valid_number_and_matching_date_of_birth_link(evaluator, ada):  # noqa: F811
    extract = upload(csv_bytes([admission(ADA, ADA_DOB)]), evaluator)
    assert extract.rows_linked == 1 and Admission.objects.get().person == ada
    assert not LinkReview.objects.exists()


def test_a_date_of_birth_mismatch_is_kept_for_review(evaluator, ada):  # noqa: F811
    typo = date(1950, 3, 28)
    rows = [admission(ADA, typo, 40), admission(ADA, typo, 20), admission(ADA, ADA_DOB, 9)]
    extract = upload(csv_bytes(rows), evaluator)
    assert (extract.rows_linked, extract.rows_for_review) == (1, 2)
    review = LinkReview.objects.get()
    assert (review.nhs_number, review.date_of_birth, review.reason, review.rows) == (
        ADA, typo, LinkReview.Reason.DOB_MISMATCH, 2)
    assert list(review.candidates.all()) == [ada]
    assert Admission.objects.filter(person__isnull=True).count() == 2


def test_a_number_on_two_people_is_kept_for_review_with_both(evaluator, ada):  # noqa: F811
    twin = consenting(ADA, ADA_DOB, last_name="Smyth")
    extract = upload(csv_bytes([admission(ADA, ADA_DOB)]), evaluator)
    assert (extract.rows_linked, extract.rows_for_review) == (0, 1)
    review = LinkReview.objects.get()
    assert review.reason == LinkReview.Reason.SEVERAL_PEOPLE
    assert set(review.candidates.all()) == {ada, twin}


def test_without_consent_rows_are_counted_and_discarded(evaluator):  # noqa: F811
    consenting(BEN, BEN_DOB, consent=False)
    extract = upload(csv_bytes([admission(BEN, BEN_DOB), admission(DEV, date(1970, 1, 1))]), evaluator)
    assert (extract.rows_no_consent, extract.rows_not_ours, extract.rows_linked) == (1, 1, 0)
    assert not Admission.objects.exists()


def test_consent_on_any_of_the_persons_cases_counts(evaluator):  # noqa: F811
    person = consenting(CAL, CAL_DOB, consent=False)
    make_case(person=person, stage="closed")  # factory referrals carry no evaluation consent
    assert upload(csv_bytes([admission(CAL, CAL_DOB)]), evaluator).rows_no_consent == 1
    later = make_case(person=person, stage="closed")
    later.referral.consent_sharing = ["housing", "evaluation"]
    later.referral.save()
    assert upload(csv_bytes([admission(CAL, CAL_DOB, 50)]), evaluator).rows_linked == 1


def test_nothing_links_by_name(evaluator, ada):  # noqa: F811
    # Same name and date of birth as Ada, another NHS number: not hers.
    extract = upload(csv_bytes([admission(DEV, ADA_DOB)]), evaluator)
    assert (extract.rows_not_ours, extract.rows_linked, extract.rows_for_review) == (1, 0, 0)
    assert not Admission.objects.exists()


def test_attendances_link_the_same_way(evaluator, ada):  # noqa: F811
    rows = [(ADA, ADA_DOB.isoformat(), ago(3)), (ADA, "1950-03-28", ago(4))]
    extract = upload(csv_bytes(rows, ("nhs_number", "date_of_birth", "attendance_date")), evaluator,
                     kind="attendances")
    assert (extract.rows_linked, extract.rows_for_review) == (1, 1)
    assert Attendance.objects.filter(person=ada).count() == 1


@pytest.fixture
def waiting(evaluator, ada):  # noqa: F811
    """An open review: two of Ada's admissions with her day of birth mistyped."""
    typo = date(1950, 3, 28)
    upload(csv_bytes([admission(ADA, typo, 40), admission(ADA, typo, 20)]), evaluator)
    return LinkReview.objects.get()


class _Request:
    def __init__(self, user):
        self.user, self.META, self.path = user, {"REMOTE_ADDR": "127.0.0.1"}, "/hospital-activity/reviews/"


def test_linking_a_review_sets_the_person_and_is_audited(evaluator, ada, waiting):  # noqa: F811
    review_decide(review_id=waiting.pk, person_id=ada.pk, note="Day of birth mistyped", by=evaluator,
                  request=_Request(evaluator))
    waiting.refresh_from_db()
    assert (waiting.status, waiting.person, waiting.decided_by) == (LinkReview.Status.LINKED, ada, evaluator)
    assert Admission.objects.filter(person=ada).count() == 2
    event = AuditEvent.objects.get(object_type="hospital_link_review")
    assert (event.action, event.person_id) == (AuditEvent.Action.CHANGE, ada.pk)
    with pytest.raises(ReviewRefused, match="already been decided"):
        review_decide(review_id=waiting.pk, person_id=None, note="again", by=evaluator,
                      request=_Request(evaluator))


def test_not_linking_a_review_discards_its_rows(evaluator, ada, waiting):  # noqa: F811
    review_decide(review_id=waiting.pk, person_id=None, note="Not the same person", by=evaluator,
                  request=_Request(evaluator))
    waiting.refresh_from_db()
    assert waiting.status == LinkReview.Status.NOT_LINKED and not Admission.objects.exists()
    assert AuditEvent.objects.get(object_type="hospital_link_review").person_id == ada.pk


def test_a_decision_needs_a_note_and_one_of_the_candidates(evaluator, ada, waiting):  # noqa: F811
    other = consenting(BEN, BEN_DOB)
    with pytest.raises(ReviewRefused, match="Say why"):
        review_decide(review_id=waiting.pk, person_id=ada.pk, note=" ", by=evaluator,
                      request=_Request(evaluator))
    with pytest.raises(ReviewRefused, match="one of the people"):
        review_decide(review_id=waiting.pk, person_id=other.pk, note="x", by=evaluator,
                      request=_Request(evaluator))
    assert LinkReview.objects.get().status == LinkReview.Status.OPEN
    assert not Admission.objects.filter(person__isnull=False).exists()


def test_a_corrected_file_removes_the_open_reviews_it_replaces(evaluator, ada, waiting):  # noqa: F811
    upload(csv_bytes([admission(ADA, ADA_DOB, 40), admission(ADA, ADA_DOB, 20)]), evaluator,
           replaces=waiting.extract)
    assert not LinkReview.objects.exists()
    assert Admission.objects.filter(person=ada).count() == 2
