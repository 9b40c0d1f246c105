"""Recording surveys and the service's licensed wording. Views call these and never save a Survey, a
SurveyAnswer or a LicensedWording themselves; the demo records its surveys through them too."""

from datetime import date

from django.db import transaction
from django.utils import timezone

from h2h.accounts.models import User
from h2h.accounts.roles import Role
from h2h.area.config import get_area
from h2h.cases.models import Case
from h2h.surveys.instruments import EQ5D_VALUE_SETS, ValueSet, survey_scores
from h2h.surveys.items import BASELINE, CARER, EQ5D_ITEMS, FOLLOW_UP, ITEMS_BY_CODE, items_for
from h2h.surveys.models import LicensedWording, Survey, SurveyAnswer
from h2h.surveys.selectors import survey_not_available

# Who records surveys with the person: the coordinators and admin support (keying a paper form).
RECORDING_ROLES = frozenset({Role.HHC, Role.ADMIN_OFFICER})
# Who enters the service's licensed wording.
WORDING_ROLES = frozenset({Role.PROJECT_MANAGER, Role.ADMINISTRATOR})

Answers = dict[str, tuple[str, int | None]]  # item code → (SurveyAnswer.Status, value)


class SurveyRefused(Exception):
    """A survey the rules do not allow; the message is shown to the user as it is."""


def survey_value_set(survey: Survey | None, respondent: str) -> ValueSet | None:
    """The EQ-5D value set a survey is scored with: its own once saved, the area's for a new one. The carer
    survey asks no EQ-5D."""
    if respondent == CARER:
        return None
    key = survey.value_set if survey is not None and survey.value_set else get_area().outcomes.eq5d_value_set
    return EQ5D_VALUE_SETS[key]


def _check(case: Case, timepoint: str, respondent: str, completed_on: date, by: User, today: date) -> None:
    if by.organisation_id != case.service_id or not by.is_active or by.role not in RECORDING_ROLES:
        raise SurveyRefused("Only a coordinator or admin support officer of the service holding the case can "
                            "record its surveys.")
    if timepoint not in Survey.Timepoint.values or respondent not in Survey.Respondent.values:
        raise SurveyRefused("There is no such survey.")
    reason = survey_not_available(case, timepoint, respondent, today)
    if reason:
        raise SurveyRefused(reason)
    if completed_on > today:
        raise SurveyRefused("The date of the survey cannot be in the future.")
    if completed_on < case.referred_on:
        raise SurveyRefused("The date of the survey cannot be before the referral.")
    if timepoint == FOLLOW_UP:
        baseline = Survey.objects.filter(case=case, timepoint=BASELINE, respondent=respondent).first()
        if baseline is not None and completed_on < baseline.completed_on:
            raise SurveyRefused("The follow-up survey cannot be dated before the baseline survey.")


def _validated(answers: Answers, timepoint: str, respondent: str, value_set: ValueSet | None) -> Answers:
    """Every item asked at this timepoint, each with a status; values checked against the item's scale."""
    levels = value_set.levels if value_set else 0
    asked = {item.code: item for item in items_for(respondent, timepoint)}
    unknown = set(answers) - set(asked)
    if unknown:
        raise SurveyRefused(f"These items are not asked in this survey: {', '.join(sorted(unknown))}.")
    clean: Answers = {}
    for code, item in asked.items():
        status, value = answers.get(code, (SurveyAnswer.Status.NOT_ANSWERED, None))
        if status not in SurveyAnswer.Status.values:
            raise SurveyRefused(f"{item.label}: unknown answer status {status!r}.")
        if status == SurveyAnswer.Status.ANSWERED:
            low, high = item.range_for(levels)
            if value is None or not low <= value <= high:
                raise SurveyRefused(f"{item.label}: the answer must be from {low} to {high}.")
        else:
            value = None  # declined or not answered carries no number, ever
        clean[code] = (status, value)
    if not any(status == SurveyAnswer.Status.ANSWERED for status, _ in clean.values()):
        raise SurveyRefused("No item was answered: record the survey as declined instead.")
    return clean


def survey_record(
    *, case: Case, timepoint: str, respondent: str, completed_on: date, answers: Answers, by: User,
    today: date | None = None,
) -> tuple[Survey, bool]:
    """Record (or correct) a survey's answers and store its scores. Returns (survey, created).

    answers maps item codes to (status, value); items left out are recorded as not answered. A survey
    recorded before keeps the EQ-5D value set it was first scored with, so its levels do not change under it.
    """
    today = today or timezone.localdate()
    _check(case, timepoint, respondent, completed_on, by, today)
    with transaction.atomic():
        existing = (Survey.objects.select_for_update()
                    .filter(case=case, timepoint=timepoint, respondent=respondent).first())
        value_set = survey_value_set(existing, respondent)
        clean = _validated(answers, timepoint, respondent, value_set)
        values = {code: value for code, (status, value) in clean.items() if status == SurveyAnswer.Status.ANSWERED}
        scores = survey_scores(values, value_set)
        asks_eq5d = any(code in clean for code in EQ5D_ITEMS)
        fields = {
            "completed_on": completed_on, "recorded_by": by, "declined": False, "declined_reason": "",
            "value_set": value_set.key if value_set and asks_eq5d else "",
            "eq5d_index": scores.eq5d_index, "eq_vas": scores.eq_vas,
            "swemwbs_raw": scores.swemwbs_raw, "swemwbs_metric": scores.swemwbs_metric,
        }
        if existing is None:
            survey = Survey.objects.create(case=case, timepoint=timepoint, respondent=respondent, **fields)
        else:
            survey = existing
            for name, value in fields.items():
                setattr(survey, name, value)
            survey.save()
            survey.answers.all().delete()
        SurveyAnswer.objects.bulk_create([
            SurveyAnswer(survey=survey, item=code, status=status, value=value)
            for code, (status, value) in clean.items()
        ])
    return survey, existing is None


def survey_decline(
    *, case: Case, timepoint: str, respondent: str, completed_on: date, reason: str, by: User,
    today: date | None = None,
) -> tuple[Survey, bool]:
    """Record that the whole survey was declined (replacing any answers recorded before). Returns
    (survey, created)."""
    today = today or timezone.localdate()
    _check(case, timepoint, respondent, completed_on, by, today)
    if not reason.strip():
        raise SurveyRefused("Say why the survey was declined.")
    fields = {"completed_on": completed_on, "recorded_by": by, "declined": True,
              "declined_reason": reason.strip(), "value_set": "",
              "eq5d_index": None, "eq_vas": None, "swemwbs_raw": None, "swemwbs_metric": None}
    with transaction.atomic():
        survey, created = Survey.objects.select_for_update().update_or_create(
            case=case, timepoint=timepoint, respondent=respondent, defaults=fields)
        survey.answers.all().delete()
    return survey, created


def wording_save(*, service, item: str, text: str, options: str, licence_reference: str,
                 by: User) -> LicensedWording | None:
    """Enter or change the service's licensed wording for one item; blank text removes it (the form then
    shows the neutral label again). Returns the wording, or None when removed."""
    if by.role not in WORDING_ROLES or not by.is_active or by.organisation_id != service.pk:
        raise SurveyRefused("Only the project manager or an administrator of the service can enter its wording.")
    if item not in ITEMS_BY_CODE:
        raise SurveyRefused("There is no such item.")
    if not text.strip():
        LicensedWording.objects.filter(service=service, item=item).delete()
        return None
    if not licence_reference.strip():
        raise SurveyRefused("Enter the licence or registration reference the wording is used under.")
    wording, _ = LicensedWording.objects.update_or_create(
        service=service, item=item,
        defaults={"text": text.strip(), "options": options.strip(), "licence_reference": licence_reference.strip(),
                  "entered_by": by},
    )
    return wording
