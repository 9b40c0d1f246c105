"""Demo hospital activity: admissions and A&E files as a hospital information team would send them, imported
through h2h.hospital.imports like any upload, by the demo evaluator ("evaluator").

The files cover the 14 months up to yesterday. The service's people (999-range NHS numbers) are admitted
less often, for shorter stays, with fewer excess bed days, and come to A&E less often after their tenancy
starts than before it (the figures of the Nottingham review: 4 → 1.7 admissions a person a year, 16 → 9.5 days
a stay, 8% → 1% excess bed days); a crowd of other people, unknown to the service, fills the rest of the files
and is discarded on import. What the demo shows:

- an admissions file for the first seven months, applied, with a few dates of birth mistyped: open reviews;
- an admissions file for the last seven months, whose first version (some elective admissions sent as
  emergencies) was superseded by a corrected file;
- an A&E file for all 14 months, applied;
- a late admissions file rejected for a few bad rows.

Deterministic for a seed and a `today`; runs after h2h/demo/generate.py has made the people and cases. `today`
must not be after the real date: the import refuses activity dated in the future.
"""

import io
import random
from datetime import date, datetime, time, timedelta

from django.db.models import Max
from django.utils import timezone

from h2h.accounts.models import User
from h2h.cases.models import CaseEvent
from h2h.cases.selectors import add_months
from h2h.cases.stages import Stage
from h2h.hospital.imports import import_extract
from h2h.hospital.linkage import consenting_people
from h2h.hospital.models import Admission, Attendance, Extract, LinkReview
from h2h.lib.identifiers import nhs_number_check_digit
from h2h.referrals.models import Person

PROVIDER = "Nottingham University Hospitals: information team"
MONTHS = 14
# Per person a year, and per stay: before the tenancy starts (or without one), and after.
ADMISSIONS_A_YEAR = (4.0, 1.7)
STAY_DAYS = (16.0, 9.5)
EXCESS_SHARE = (0.08, 0.01)
ATTENDANCES_A_YEAR = (3.0, 1.2)
EMERGENCY_SHARE = 0.85
OTHER_PEOPLE = 60  # unknown to the service: their rows are discarded
MISTYPED = 3  # people whose date of birth the first admissions file gets wrong
ADMISSION_COLUMNS = ("nhs_number", "date_of_birth", "admission_date", "discharge_date", "admission_type",
                     "excess_bed_days")


def _other_numbers(rng: random.Random, taken: set[str], count: int) -> list[str]:
    numbers = []
    while len(numbers) < count:
        first_nine = f"999{rng.randrange(1_000_000):06d}"
        check = nhs_number_check_digit(first_nine)
        number = f"{first_nine}{check}"
        if check is not None and number not in taken:
            taken.add(number)
            numbers.append(number)
    return numbers


def _events(rng: random.Random, first: date, last: date, moved_on: date | None, rates: tuple[float, float]):
    """Days something happened: a Poisson process at rates[0] a year, rates[1] from moved_on (thinned)."""
    day, top = first, max(rates)
    while True:
        day += timedelta(days=int(rng.expovariate(top / 365)) + 1)
        if day > last:
            return
        rate = rates[1] if moved_on and day >= moved_on else rates[0]
        if rng.random() < rate / top:
            yield day


def _admission(rng: random.Random, admitted: date, after: bool, last: date):
    stay = round(rng.expovariate(1 / STAY_DAYS[after]))
    discharged = admitted + timedelta(days=stay)
    if discharged > last:
        return None  # still in hospital: not in an extract of finished stays
    excess = sum(rng.random() < EXCESS_SHARE[after] for _ in range(stay))
    emergency = rng.random() < EMERGENCY_SHARE
    return admitted, discharged, emergency, excess


def _csv(columns, rows) -> io.BytesIO:
    lines = [",".join(columns), *(",".join(str(v) for v in row) for row in rows)]
    return io.BytesIO(("\r\n".join(lines) + "\r\n").encode())


def _at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def seed_hospital_activity(*, seed: int, today: date) -> dict:
    rng = random.Random(seed * 7919 + 17)  # noqa: S311 — made-up demo data
    evaluator = User.objects.get(username="evaluator")
    last = today - timedelta(days=1)
    first = add_months(today, -MONTHS)
    middle = add_months(today, -MONTHS // 2)
    moved = dict(CaseEvent.objects.filter(kind=CaseEvent.Kind.STAGE, to_stage=Stage.TENANCY_START)
                 .values_list("case__person_id").annotate(on=Max("on")))
    people = list(Person.objects.exclude(nhs_number="").filter(cases__isnull=False).distinct()
                  .order_by("id").values_list("id", "nhs_number", "date_of_birth"))
    taken = {nhs for _, nhs, _ in people}
    others = [(nhs, date(1940, 1, 1) + timedelta(days=rng.randrange(60 * 365)), None)
              for nhs in _other_numbers(rng, taken, OTHER_PEOPLE)]
    everyone = [(nhs, dob, moved.get(pid)) for pid, nhs, dob in people] + others

    admissions, attendances = [], []
    for nhs, dob, moved_on in everyone:
        for day in _events(rng, first, last, moved_on, ADMISSIONS_A_YEAR):
            stay = _admission(rng, day, bool(moved_on and day >= moved_on), last)
            if stay:
                admissions.append((nhs, dob, *stay))
        for day in _events(rng, first, last, moved_on, ATTENDANCES_A_YEAR):
            attendances.append((nhs, dob, day))
    admissions.sort(key=lambda row: (row[2], row[0]))
    attendances.sort(key=lambda row: (row[2], row[0]))
    early = [r for r in admissions if r[2] < middle]
    late = [r for r in admissions if r[2] >= middle]
    # A few people who agreed to linkage, and were admitted in the first months, get a mistyped date of birth.
    agreed = consenting_people()
    admitted_early = sorted({r[0] for r in early} & {nhs for pid, nhs, _ in people if pid in agreed})
    mistyped = set(rng.sample(admitted_early, min(MISTYPED, len(admitted_early))))

    def admission_row(row, *, typo=False, codes=False, wrong_type=False):
        nhs, dob, admitted, discharged, emergency, excess = row
        if typo and nhs in mistyped:
            dob = dob.replace(day=dob.day % 28 + 1)  # the day of birth one out
        if wrong_type:
            emergency = True
        kind = ("21" if emergency else "11") if codes else ("emergency" if emergency else "elective")
        return (nhs, dob.isoformat(), admitted.isoformat(), discharged.isoformat(), kind, excess)

    def upload(name, data, *, kind, period=(None, None), replaces=None, uploaded=last, hour=10):
        extract = import_extract(data, kind=kind, file_format=Extract.Format.CSV, file_name=name,
                                 provider=PROVIDER, uploaded_by=evaluator, period_start=period[0],
                                 period_end=period[1], replaces=replaces)
        Extract.objects.filter(pk=extract.pk).update(uploaded_at=_at(uploaded, hour))
        return extract

    first_half = upload(f"admissions-{first}-to-{middle - timedelta(days=1)}.csv",
                        _csv(ADMISSION_COLUMNS, [admission_row(r, typo=True) for r in early]),
                        kind=Extract.Kind.ADMISSIONS, period=(first, middle - timedelta(days=1)),
                        uploaded=middle + timedelta(days=9))
    # The second half came with some elective admissions sent as emergencies, and was corrected a few days
    # later (the corrected file marks the rows it changed in a column of its own, which the import ignores).
    wrong = {i for i, row in enumerate(late) if not row[4] and rng.random() < 0.6}
    late_name = f"admissions-{middle}-to-{last}"
    as_sent = [admission_row(row, codes=True, wrong_type=i in wrong) for i, row in enumerate(late)]
    sent = upload(f"{late_name}.csv", _csv(ADMISSION_COLUMNS, as_sent), kind=Extract.Kind.ADMISSIONS,
                  period=(middle, last), uploaded=last - timedelta(days=6))
    fixed = [(*admission_row(row, codes=True), "yes" if i in wrong else "") for i, row in enumerate(late)]
    corrected = upload(f"{late_name}-corrected.csv", _csv((*ADMISSION_COLUMNS, "revised"), fixed),
                       kind=Extract.Kind.ADMISSIONS, period=(middle, last), replaces=sent,
                       uploaded=last - timedelta(days=2))
    ae_rows = [(nhs, dob.strftime("%d/%m/%Y"), day.isoformat(), "ED") for nhs, dob, day in attendances]
    ae = upload(f"ae-attendances-{first}-to-{last}.csv",
                _csv(("NHS Number", "Date of Birth", "Attendance Date", "Department"), ae_rows),
                kind=Extract.Kind.ATTENDANCES, period=(first, last), uploaded=last - timedelta(days=1))
    # Late additions with typing slips: refused whole, every bad row listed.
    slips = [list(admission_row(row)) for row in late[-12:]]
    if len(slips) >= 6:
        nhs = slips[2][0]
        slips[2][0] = nhs[:9] + str((int(nhs[9]) + 1) % 10)  # a wrong check digit
        slips[5][3] = (date.fromisoformat(slips[5][2]) - timedelta(days=2)).isoformat()  # out before in
        slips[-1][4] = "urgent"  # not an admission type
    rejected = upload("admissions-late-additions.csv", _csv(ADMISSION_COLUMNS, slips),
                      kind=Extract.Kind.ADMISSIONS, uploaded=last, hour=15)
    return {
        "extracts": Extract.objects.count(),
        "applied": [e.pk for e in (first_half, corrected, ae) if e.status == Extract.Status.APPLIED],
        "superseded": sent.pk,
        "rejected": rejected.pk,
        "admissions": Admission.objects.count(),
        "attendances": Attendance.objects.count(),
        "open_reviews": LinkReview.objects.filter(status=LinkReview.Status.OPEN).count(),
    }
