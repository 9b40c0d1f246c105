"""What the hospital activity pages read: the extracts, and the open linkage reviews with their candidates.

A candidate is shown by case reference and date of birth on record, never by name or address.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q

from h2h.cases.models import Case
from h2h.hospital.models import Extract, LinkReview


def extract_list():
    return (Extract.objects.select_related("uploaded_by", "replaces")
            .annotate(open_reviews=Count("reviews", filter=Q(reviews__status=LinkReview.Status.OPEN)))
            .order_by("-uploaded_at", "-id"))


def applied_extracts():
    """The extracts a corrected file may replace."""
    return Extract.objects.filter(status=Extract.Status.APPLIED).order_by("kind", "-period_end", "-id")


@dataclass(frozen=True)
class Candidate:
    person_id: int
    case_references: tuple[str, ...]
    date_of_birth: date  # on the person's record
    file_date_of_birth: date  # in the file

    @property
    def same_date_of_birth(self) -> bool:
        return self.file_date_of_birth == self.date_of_birth


def candidates_for(reviews) -> dict[int, list[Candidate]]:
    """review id → its candidates, each with every case reference the person has (oldest first)."""
    reviews = list(reviews)
    people = {person.pk: person for review in reviews for person in review.candidates.all()}
    references: dict[int, list[str]] = {}
    cases = Case.objects.filter(person_id__in=people).only("id", "person_id").order_by("referred_on", "id")
    for case in cases:
        references.setdefault(case.person_id, []).append(case.reference)
    return {review.pk: [Candidate(person.pk, tuple(references.get(person.pk, ())), person.date_of_birth,
                                  review.date_of_birth)
                        for person in sorted(review.candidates.all(), key=lambda p: p.pk)]
            for review in reviews}


def open_reviews():
    return (LinkReview.objects.filter(status=LinkReview.Status.OPEN, extract__status=Extract.Status.APPLIED)
            .select_related("extract").prefetch_related("candidates").order_by("extract_id", "id"))
