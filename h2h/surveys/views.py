"""Pages for the health and wellbeing surveys.

A case's surveys (answers, scores and paired change) and recording one (form → check your answers → save) are
for the service's coordinators and admin support; the project manager sees the case page but does not record.
The licensed wording is entered by the project manager or an administrator. The results page is aggregate
only, for the project manager (exact figures, their own service), the evaluator and the commissioner (every
service; small counts suppressed). Anyone else gets "not found".
"""

from decimal import ROUND_HALF_UP, Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from h2h.accounts.roles import SERVICE_ROLES, Role
from h2h.area.config import get_area
from h2h.audit.models import AuditEvent
from h2h.audit.services import audit_record
from h2h.cases.access import get_case_for_user
from h2h.cases.models import Case
from h2h.lib.disclosure import SUPPRESSED, suppress
from h2h.surveys.forms import DECLINED_SUFFIX, DeclineForm, SurveyForm, WordingForm
from h2h.surveys.instruments import (
    EQ5D_VALUE_SETS,
    SWEMWBS_NORM_SOURCE,
    life_satisfaction_band,
    survey_scores,
)
from h2h.surveys.items import CARER, ITEMS, ITEMS_BY_CODE, NUMBER, PERSON, items_for
from h2h.surveys.models import LicensedWording, Survey, SurveyAnswer
from h2h.surveys.selectors import (
    CARER_MEASURES,
    PERSON_MEASURES,
    paired_changes,
    survey_not_available,
    survey_summary,
)
from h2h.surveys.services import (
    RECORDING_ROLES,
    WORDING_ROLES,
    SurveyRefused,
    survey_decline,
    survey_record,
    survey_value_set,
    wording_save,
)

VIEWING_ROLES = RECORDING_ROLES | {Role.PROJECT_MANAGER}
RESULTS_ROLES = frozenset({Role.PROJECT_MANAGER, Role.EVALUATOR, Role.COMMISSIONER})


def _require(request, roles) -> None:
    if not request.user.is_active or request.user.role not in roles:
        raise Http404


def _audit(request, action, survey: Survey, summary: str) -> None:
    audit_record(request, action, object_type="survey", object_id=survey.pk, person_id=survey.case.person_id,
                 summary=f"{survey.case.reference}: {summary}")


def _kinds(timepoint: str, respondent: str) -> None:
    if timepoint not in Survey.Timepoint.values or respondent not in Survey.Respondent.values:
        raise Http404


def _title(timepoint: str, respondent: str) -> str:
    """ "Baseline survey", "Carer's 6-month follow-up survey"."""
    when = Survey.Timepoint(timepoint).label
    return f"Carer's {when.lower()} survey" if respondent == CARER else f"{when} survey"


# ----------------------------------------------------------------------------------------------- a case's surveys


def _answer_text(item, answer: SurveyAnswer | None) -> str:
    if answer is None:
        return ""
    if answer.status != SurveyAnswer.Status.ANSWERED:
        return answer.get_status_display()
    labels = dict(item.scale) if isinstance(item.scale, tuple) else {}
    label = labels.get(answer.value)
    return f"{answer.value}: {label}" if label and label != str(answer.value) else str(answer.value)


def _column(case: Case, survey: Survey | None, timepoint: str, respondent: str, today, can_record: bool) -> dict:
    if survey is not None:
        status = "declined" if survey.declined else "recorded"
        reason = ""
    else:
        reason = survey_not_available(case, timepoint, respondent, today)
        status = "not_due" if reason else "due"
    return {"timepoint": timepoint, "label": Survey.Timepoint(timepoint).label, "survey": survey, "status": status,
            "reason": reason, "can_record": can_record,
            "answers": {a.item: a for a in survey.answers.all()} if survey else {}}


def _rows(respondent: str, columns: list[dict]) -> list[tuple[str, list[str]]]:
    codes = [item.code for item in ITEMS if respondent in item.respondents]
    rows = []
    for code in codes:
        item = ITEMS_BY_CODE[code]
        cells = [_answer_text(item, col["answers"].get(code)) if col["status"] == "recorded" else ""
                 for col in columns]
        rows.append((item.label, cells))
    return rows


def _score_rows(columns: list[dict]) -> list[tuple[str, list[str]]]:
    """The derived scores, one row each; blank for a survey not recorded, and "not scored" rather than a number
    when an item the score needs is missing."""

    def index(survey: Survey) -> str:
        return "Not scored (a dimension missing)" if survey.eq5d_index is None else str(survey.eq5d_index)

    def band(col) -> str:
        answer = col["answers"].get("life_satisfaction")
        answered = answer is not None and answer.status == SurveyAnswer.Status.ANSWERED
        return life_satisfaction_band(answer.value if answered else None) or "Not answered"

    shown = {
        "EQ-5D index": index,
        "EQ VAS": lambda s: "Not answered" if s.eq_vas is None else str(s.eq_vas),
        "SWEMWBS raw (7 to 35)": lambda s: "Not scored (an item missing)" if s.swemwbs_raw is None
        else str(s.swemwbs_raw),
        "SWEMWBS metric score": lambda s: "Not scored (an item missing)" if s.swemwbs_metric is None
        else str(s.swemwbs_metric),
    }
    rows = [(label, [show(c["survey"]) if c["status"] == "recorded" else "" for c in columns])
            for label, show in shown.items()]
    rows.append(("Life satisfaction band (ONS)", [band(c) if c["status"] == "recorded" else "" for c in columns]))
    return rows


def _change_rows(pair, measures) -> list[tuple[str, str, str, str]]:
    rows = []
    for measure in measures:
        change = pair.changes.get(measure.key)
        if change is None:
            continue
        if measure.kind == "share":
            rows.append((measure.label, "Yes" if change.before else "No", "Yes" if change.after else "No", ""))
        else:
            delta = change.change
            signed = f"{'+' if delta > 0 else ''}{delta}"
            rows.append((measure.label, str(change.before), str(change.after), signed))
    return rows


@login_required
def case_surveys(request, case_id: int):
    """The case's surveys side by side (baseline and 6 months), their scores, and the paired change."""
    _require(request, VIEWING_ROLES)
    case = get_case_for_user(request, case_id, audit_view=True)
    today = timezone.localdate()
    surveys = {(s.respondent, s.timepoint): s for s in case.surveys.select_related("recorded_by", "case")
               .prefetch_related("answers")}
    can_record = request.user.role in RECORDING_ROLES
    pairs = paired_changes(Case.objects.filter(pk=case.pk))[0]
    blocks = []
    has_carer = case.referral.has_carer or any(r == CARER for r, _ in surveys)
    respondents = [PERSON, CARER] if has_carer else [PERSON]
    for respondent in respondents:
        columns = [_column(case, surveys.get((respondent, t)), t, respondent, today, can_record)
                   for t in Survey.Timepoint.values]
        pair = pairs.person if respondent == PERSON else pairs.carer
        blocks.append({
            "respondent": respondent,
            "title": "The person's surveys" if respondent == PERSON else "The carer's surveys",
            "columns": columns, "rows": _rows(respondent, columns),
            "scores": _score_rows(columns) if respondent == PERSON else [],
            "value_sets": sorted({EQ5D_VALUE_SETS[c["survey"].value_set].name for c in columns
                                  if c["status"] == "recorded" and c["survey"].value_set}),
            "pair": pair,
            "changes": _change_rows(pair, PERSON_MEASURES if respondent == PERSON else CARER_MEASURES),
        })
    audit_record(request, AuditEvent.Action.LIST, object_type="survey", person_id=case.person_id,
                 summary=f"{case.reference}: surveys viewed ({len(surveys)})")
    return render(request, "surveys/case.html", {"case": case, "blocks": blocks, "can_record": can_record})


# --------------------------------------------------------------------------------------------------- recording


def _survey_form(case, timepoint, respondent, survey, data=None):
    value_set = survey_value_set(survey, respondent)
    levels = value_set.levels if value_set else 0
    wording = {w.item: w for w in LicensedWording.objects.filter(service_id=case.service_id)}
    initial = {}
    if survey is not None and not survey.declined:
        initial["completed_on"] = survey.completed_on
        for answer in survey.answers.all():
            item = ITEMS_BY_CODE.get(answer.item)
            if item is None:
                continue
            if answer.status == SurveyAnswer.Status.DECLINED:
                initial[item.code + DECLINED_SUFFIX if item.scale == NUMBER else item.code] = (
                    True if item.scale == NUMBER else "declined")
            elif answer.status == SurveyAnswer.Status.ANSWERED:
                initial[item.code] = str(answer.value)
    form = SurveyForm(data, items=items_for(respondent, timepoint), eq5d_levels=levels, wording=wording,
                      initial=initial)
    return form, value_set


def _case_and_survey(request, case_id, timepoint, respondent):
    _require(request, RECORDING_ROLES)
    _kinds(timepoint, respondent)
    case = get_case_for_user(request, case_id, audit_view=request.method == "GET")
    survey = case.surveys.filter(timepoint=timepoint, respondent=respondent).select_related("case").first()
    if survey is None:
        reason = survey_not_available(case, timepoint, respondent)
        if reason:
            messages.error(request, reason)
            return case, None, redirect("surveys:case", case_id=case.pk)
    return case, survey, None


@login_required
@require_http_methods(["GET", "POST"])
def survey_record_view(request, case_id: int, timepoint: str, respondent: str):
    """Record a survey: the form, then "Check your answers" (the answers travel in hidden fields; nothing is
    stored until "Save"), then save. "Change" on the check page posts the answers back to the form."""
    case, survey, refused = _case_and_survey(request, case_id, timepoint, respondent)
    if refused:
        return refused
    action = request.POST.get("action", "")
    form, value_set = _survey_form(case, timepoint, respondent, survey,
                                   request.POST if request.method == "POST" else None)
    context = {"case": case, "survey": survey, "form": form, "timepoint": timepoint, "respondent": respondent,
               "title": _title(timepoint, respondent), "value_set": value_set}
    if request.method == "GET":
        if survey is not None:
            _audit(request, AuditEvent.Action.VIEW, survey, f"{_title(timepoint, respondent)} opened to change")
        return render(request, "surveys/record.html", context)
    if action not in {"check", "save"} or not form.is_valid():
        return render(request, "surveys/record.html", context)
    if action == "check":
        hidden = [(key, value) for key, values in request.POST.lists()
                  if key not in {"csrfmiddlewaretoken", "action"} for value in values]
        values = {code: v for code, (s, v) in form.answers.items() if s == SurveyAnswer.Status.ANSWERED}
        return render(request, "surveys/check.html", {
            **context, "rows": form.answer_rows(), "hidden": hidden,
            "completed_on": form.cleaned_data["completed_on"], "scores": survey_scores(values, value_set),
        })
    try:
        saved, created = survey_record(case=case, timepoint=timepoint, respondent=respondent,
                                       completed_on=form.cleaned_data["completed_on"], answers=form.answers,
                                       by=request.user)
    except SurveyRefused as refusal:
        form.add_error(None, str(refusal))
        return render(request, "surveys/record.html", context)
    _audit(request, AuditEvent.Action.CREATE if created else AuditEvent.Action.CHANGE, saved,
           f"{_title(timepoint, respondent)} {'recorded' if created else 'changed'}")
    messages.success(request, f"{_title(timepoint, respondent)} saved")
    return redirect("surveys:case", case_id=case.pk)


@login_required
@require_http_methods(["GET", "POST"])
def survey_decline_view(request, case_id: int, timepoint: str, respondent: str):
    """Record that the person (or carer) declined the whole survey."""
    case, survey, refused = _case_and_survey(request, case_id, timepoint, respondent)
    if refused:
        return refused
    initial = {"completed_on": survey.completed_on, "reason": survey.declined_reason} if survey else {}
    form = DeclineForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved, created = survey_decline(case=case, timepoint=timepoint, respondent=respondent,
                                            completed_on=form.cleaned_data["completed_on"],
                                            reason=form.cleaned_data["reason"], by=request.user)
        except SurveyRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            _audit(request, AuditEvent.Action.CREATE if created else AuditEvent.Action.CHANGE, saved,
                   f"{_title(timepoint, respondent)} declined")
            messages.success(request, f"{_title(timepoint, respondent)}: recorded as declined")
            return redirect("surveys:case", case_id=case.pk)
    return render(request, "surveys/decline.html", {
        "case": case, "survey": survey, "form": form, "timepoint": timepoint, "respondent": respondent,
        "title": _title(timepoint, respondent)})


# ---------------------------------------------------------------------------------------------------- wording


def _wording_service(request):
    _require(request, WORDING_ROLES)
    if request.user.organisation is None:
        raise Http404
    return request.user.organisation


def _levels() -> int:
    return EQ5D_VALUE_SETS[get_area().outcomes.eq5d_value_set].levels


@login_required
def wording_list(request):
    """Every item, with the service's licensed wording where it has entered one."""
    service = _wording_service(request)
    entered = {w.item: w for w in LicensedWording.objects.filter(service=service).select_related("entered_by")}
    rows = [(item, entered.get(item.code)) for item in ITEMS]
    return render(request, "surveys/wording_list.html", {"rows": rows, "service": service})


@login_required
@require_http_methods(["GET", "POST"])
def wording_edit(request, item: str):
    service = _wording_service(request)
    found = ITEMS_BY_CODE.get(item)
    if found is None:
        raise Http404
    current = LicensedWording.objects.filter(service=service, item=item).select_related("entered_by").first()
    initial = ({"text": current.text, "options": current.options, "licence_reference": current.licence_reference}
               if current else {})
    form = WordingForm(request.POST or None, item=found, eq5d_levels=_levels(), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = wording_save(service=service, item=item, text=form.cleaned_data["text"],
                                 options=form.cleaned_data.get("options", ""),
                                 licence_reference=form.cleaned_data["licence_reference"], by=request.user)
        except SurveyRefused as refused:
            form.add_error(None, str(refused))
        else:
            audit_record(request, AuditEvent.Action.CHANGE, object_type="survey_wording", object_id=item,
                         summary=f"Survey wording for {found.label} {'entered' if saved else 'removed'}")
            messages.success(request, f"Wording for {found.label} {'saved' if saved else 'removed'}")
            return redirect("surveys:wording")
    return render(request, "surveys/wording_edit.html", {"item": found, "current": current, "form": form})


# ---------------------------------------------------------------------------------------------------- results


def _figure(value, n: int, exact: bool, *, places: int = 1, unit: str = "", signed: bool = False) -> str:
    """A mean or percentage as shown: a dash without data; * outside the service when it rests on 1–7 people
    (a mean of so few can identify them as surely as a count)."""
    if value is None or n == 0:
        return "–"
    if not exact and suppress(n) == SUPPRESSED:
        return SUPPRESSED
    shown = Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return f"{'+' if signed and shown > 0 else ''}{shown}{unit}"


@login_required
def results(request):
    """Aggregate survey results: completion, and the paired change in each measure. No person is named."""
    _require(request, RESULTS_ROLES)
    user = request.user
    cases = Case.objects.all() if user.role != Role.PROJECT_MANAGER else Case.objects.filter(
        service_id=user.organisation_id)
    exact = user.role in SERVICE_ROLES
    count = str if exact else suppress
    summary = survey_summary(cases)

    def score_row(measure, stat):
        places = measure.places
        return {"label": measure.label, "n": count(stat.n),
                "baseline": _figure(stat.baseline, stat.n, exact, places=places),
                "follow_up": _figure(stat.follow_up, stat.n, exact, places=places),
                "change": _figure(stat.change, stat.n, exact, places=places, signed=True),
                "percent_change": _figure(stat.percent_change, stat.n, exact, unit="%", signed=True),
                "improved": _figure(stat.improved, stat.n, exact, unit="%")}

    def share_row(label, stat):
        return {"label": label, "n": count(stat.n), "baseline": _figure(stat.baseline, stat.n, exact, unit="%"),
                "follow_up": _figure(stat.follow_up, stat.n, exact, unit="%")}

    scores = [score_row(m, summary.person[m.key]) for m in PERSON_MEASURES if m.kind == "score"]
    scores += [score_row(m, summary.carer[m.key]) for m in CARER_MEASURES]
    shares = [share_row(m.label, summary.person[m.key]) for m in PERSON_MEASURES if m.kind == "share"]
    shares.append(share_row(f"SWEMWBS at or above the population norm ({summary.swemwbs_norm})",
                            summary.swemwbs_at_or_above_norm))
    shares.append(share_row("Any anxiety or depression (EQ-5D level 2 or worse)", summary.anxiety_depression_any))
    counts = summary.counts
    completion = []
    for who, who_label in ((PERSON, "The person"), (CARER, "Carer")):
        for timepoint, label in Survey.Timepoint.choices:
            recorded, declined = (counts.get(f"{who}_{timepoint}_{state}", 0) for state in ("recorded", "declined"))
            completion.append((f"{who_label}: {label.lower()}", count(recorded), count(declined)))
    satisfaction, could_not = summary.satisfaction, summary.could_not_have_moved
    audit_record(request, AuditEvent.Action.LIST, object_type="survey_results", summary="Survey results viewed")
    return render(request, "surveys/results.html", {
        "exact": exact, "scores": scores, "shares": shares, "completion": completion,
        "person_pairs": count(counts.get("person_pairs", 0)), "carer_pairs": count(counts.get("carer_pairs", 0)),
        "satisfaction": _figure(satisfaction.mean, satisfaction.n, exact), "satisfaction_n": count(satisfaction.n),
        "could_not": _figure(could_not.percent, could_not.n, exact, unit="%"), "could_not_n": count(could_not.n),
        "norm": summary.swemwbs_norm, "norm_source": SWEMWBS_NORM_SOURCE,
        "value_set": EQ5D_VALUE_SETS[get_area().outcomes.eq5d_value_set],
    })


app_name = "surveys"
urlpatterns = [
    path("results/", results, name="results"),
    path("wording/", wording_list, name="wording"),
    path("wording/<str:item>/", wording_edit, name="wording-edit"),
    path("case/<int:case_id>/", case_surveys, name="case"),
    path("case/<int:case_id>/<str:timepoint>/<str:respondent>/", survey_record_view, name="record"),
    path("case/<int:case_id>/<str:timepoint>/<str:respondent>/declined/", survey_decline_view, name="decline"),
]
