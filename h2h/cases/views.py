from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Count, OuterRef, Q, Subquery
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from h2h.accounts.models import User
from h2h.accounts.roles import SERVICE_ROLES, Role
from h2h.area import valuesets
from h2h.area.config import get_area
from h2h.area.eligibility import evaluate_all
from h2h.audit.models import AuditEvent
from h2h.audit.services import audit_record
from h2h.cases.access import get_case_for_user
from h2h.cases.forms import AssignForm, MoveForm, NoteForm, ScreeningForm
from h2h.cases.models import Case, CaseEvent
from h2h.cases.selectors import case_queryset_for_user, days_since_referral, next_action
from h2h.cases.services import (
    CaseActionRefused,
    case_assign,
    case_move,
    case_note_add,
    case_screen_accept,
    case_screen_decline,
)
from h2h.cases.stages import HOUSED_STAGES, OPEN_STAGES, ClosingReason, Stage
from h2h.lib.disclosure import suppress
from h2h.referrals.models import Referral
from h2h.referrals.services import referral_facts

ROLE_HOME = {
    Role.REFERRER: "referrals:list",
    Role.LETTINGS_OFFICER: "lettings:voids",
    Role.HHC: "cases:caseload",
    Role.PROJECT_MANAGER: "cases:team",
    Role.HOUSING_MANAGER: "lettings:signoff-queue",
    Role.ADMIN_OFFICER: "cases:list",
    Role.COMMISSIONER: "cases:overview",
    Role.EVALUATOR: "cases:overview",
    Role.ADMINISTRATOR: "audit:search",
}


@login_required
def home(request):
    target = ROLE_HOME.get(request.user.role)
    if target is None:
        raise PermissionDenied
    return redirect(target)


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


def _require_service(request, *roles):
    if not request.user.in_service or (roles and request.user.role not in roles):
        raise Http404


def _with_dates(queryset):
    tenancy = CaseEvent.objects.filter(case=OuterRef("pk"), to_stage=Stage.TENANCY_START).order_by("-at")
    return queryset.annotate(tenancy_started_on=Subquery(tenancy.values("on")[:1]))


def _case_rows(cases, area, with_screening=False):
    today = timezone.localdate()
    rows = []
    for case in cases:
        housed_on = getattr(case, "tenancy_started_on", None) if case.stage in HOUSED_STAGES else None
        row = {
            "case": case,
            "days": days_since_referral(case, today),
            # Once housed, the figure that matters is how long rehousing took, not a clock still running.
            "rehoused_in": (housed_on - case.referred_on).days if housed_on else None,
            "next": next_action(case, area),
        }
        if with_screening and case.stage == Stage.REFERRAL_RECEIVED:
            row["screening"] = evaluate_all(area, referral_facts(case.referral))
        rows.append(row)
    return rows


@login_required
def caseload(request, user_id: int | None = None):
    """An HHC's open cases: days since referral and the next thing to do, oldest first."""
    _require_service(request, Role.HHC, Role.PROJECT_MANAGER)
    if user_id is None:
        if request.user.role != Role.HHC:
            return redirect("cases:team")
        hhc = request.user
    else:
        if request.user.role != Role.PROJECT_MANAGER and user_id != request.user.pk:
            raise Http404
        hhc = get_object_or_404(User, pk=user_id, organisation_id=request.user.organisation_id, role=Role.HHC)
    cases = _with_dates(
        case_queryset_for_user(request.user)
        .filter(assigned_to=hhc, stage__in=OPEN_STAGES)
        .select_related("person", "referral", "referral__person")
        .order_by("referred_on", "id")
    )
    rows = _case_rows(cases, get_area(), with_screening=True)
    audit_record(request, AuditEvent.Action.LIST, object_type="case",
                 summary=f"Caseload of {hhc.username}: {len(rows)} cases shown")
    return render(request, "cases/caseload.html", {"hhc": hhc, "count": len(rows), "sections": _caseload_sections(rows),
                                                   "own": hhc.pk == request.user.pk})


def _caseload_sections(rows):
    """Split a caseload the way a coordinator works it: new referrals, people waiting for a home, then
    follow-ups (soonest due first). Overdue items lead each section."""
    to_screen = [r for r in rows if r["case"].stage == Stage.REFERRAL_RECEIVED]
    rehousing = [r for r in rows if r["case"].stage not in HOUSED_STAGES and r not in to_screen]
    follow_ups = sorted((r for r in rows if r["case"].stage in HOUSED_STAGES),
                        key=lambda r: (r["next"].due is None, r["next"].due or timezone.localdate()))
    def overdue_first(section):
        return sorted(section, key=lambda r: not (r["next"] and r["next"].overdue))

    return [
        ("New referrals to screen", overdue_first(to_screen)),
        ("Finding a home", overdue_first(rehousing)),
        ("Follow-up visits", follow_ups),
    ]


@login_required
def team(request):
    """The project manager's view: each coordinator's load, and cases nobody holds yet."""
    _require_service(request, Role.PROJECT_MANAGER)
    open_filter = Q(caseload__stage__in=OPEN_STAGES, caseload__service_id=request.user.organisation_id)
    hhcs = (
        User.objects.filter(organisation_id=request.user.organisation_id, role=Role.HHC)
        .annotate(
            open_cases=Count("caseload", filter=open_filter),
            awaiting_screening=Count("caseload", filter=open_filter & Q(caseload__stage=Stage.REFERRAL_RECEIVED)),
        )
        .order_by("-is_active", "first_name")
    )
    unassigned = (
        case_queryset_for_user(request.user)
        .filter(assigned_to__isnull=True, stage__in=OPEN_STAGES)
        .select_related("person")
    )
    unassigned_rows = _case_rows(_with_dates(unassigned), get_area())
    audit_record(request, AuditEvent.Action.LIST, object_type="case",
                 summary=f"Team caseloads: {len(unassigned_rows)} unassigned cases shown")
    return render(request, "cases/team.html", {"hhcs": hhcs, "unassigned": unassigned_rows})


@login_required
def case_list(request):
    _require_service(request)
    area = get_area()
    cases = case_queryset_for_user(request.user).select_related("person", "assigned_to")
    # The search takes names and NHS numbers, so the form is posted: they never reach a URL (browser history,
    # proxy and server logs). Stage and cohort alone may still come in a link.
    filters = request.POST if request.method == "POST" else request.GET
    stage = filters.get("stage", "open")
    if stage == "open":
        cases = cases.filter(stage__in=OPEN_STAGES)
    elif stage in Stage.values:
        cases = cases.filter(stage=stage)
    cohort = filters.get("cohort", "")
    if cohort:
        cases = cases.filter(cohort=cohort)
    query = request.POST.get("q", "").strip() if request.method == "POST" else ""
    if query:
        digits = query.replace(" ", "")
        match = Q(person__last_name__icontains=query) | Q(person__first_name__icontains=query)
        if digits.isdigit():
            match |= Q(person__nhs_number=digits) | Q(pk=int(digits))
        if query.upper().startswith("H2H-") and query[4:].isdigit():
            match |= Q(pk=int(query[4:]))
        cases = cases.filter(match)
    cases = _with_dates(cases.order_by("-referred_on", "-id"))
    total = cases.count()
    rows = _case_rows(cases[:100], area)
    audit_record(request, AuditEvent.Action.LIST, object_type="case",
                 summary=f"Case list: {len(rows)} of {total} shown")
    return render(request, "cases/list.html", {
        "rows": rows, "total": total, "stage": stage, "cohort": cohort, "q": query,
        "stages": Stage.choices, "cohorts": area.cohort_choices,
    })


def _event_title(event: CaseEvent, staff: dict) -> str:
    if event.kind == CaseEvent.Kind.STAGE:
        title = Stage(event.to_stage).label
        if event.to_stage == Stage.CLOSED and event.case.closing_reason:
            title += f" ({ClosingReason(event.case.closing_reason).label.lower()})"
        return title
    if event.kind in (CaseEvent.Kind.ASSIGNED, CaseEvent.Kind.HANDOVER):
        to_user = staff.get(event.payload.get("to_user"))
        name = to_user.display_name if to_user else "another coordinator"
        return f"{'Handed over' if event.kind == CaseEvent.Kind.HANDOVER else 'Assigned'} to {name}"
    if event.kind == CaseEvent.Kind.APPLICATION:
        return event.payload.get("title", "Fast-track application")
    return event.get_kind_display()


def _timeline(case) -> list[dict]:
    """Events and notes together, newest first."""
    staff = {u.pk: u for u in User.objects.filter(organisation_id=case.service_id)}
    entries = [
        {
            "at": e.at,
            "on": e.on,
            "by_name": "H2H (automatic allocation)" if e.payload.get("automatic") else e.by.display_name,
            "title": _event_title(e, staff),
            "note": e.note,
        }
        for e in case.events.select_related("by", "case")
    ]
    entries += [
        {"at": n.at, "on": None, "by_name": n.by.display_name, "title": "Case note", "note": n.text}
        for n in case.notes.select_related("by")
    ]
    return sorted(entries, key=lambda entry: entry["at"], reverse=True)


@login_required
def case_detail(request, case_id: int):
    case = get_case_for_user(request, case_id, audit_view=True)
    area = get_area()
    user = request.user
    can_move = user.role in {Role.HHC, Role.PROJECT_MANAGER, Role.HOUSING_MANAGER}
    move_form = MoveForm(case=case, user=user) if can_move and case.is_open else None
    if move_form is not None and not move_form.fields["to_stage"].choices:
        move_form = None
    cohort = area.cohort(case.cohort)
    return render(request, "cases/detail.html", {
        "case": case,
        "person": case.person,
        "referral": case.referral,
        "other_referrals": case.referrals.exclude(pk=case.referral_id).order_by("received_at"),
        "cohort": cohort,
        "next": next_action(_with_dates(Case.objects.filter(pk=case.pk)).get(), area),
        "days": days_since_referral(case),
        "timeline": _timeline(case),
        "move_form": move_form,
        "assign_form": AssignForm(case=case) if user.role in {Role.HHC, Role.PROJECT_MANAGER} and case.is_open else None,
        "note_form": NoteForm(),
        "benefit_choices": valuesets.Benefit.choices,
        "sharing_choices": Referral.Sharing.choices,
        "can_screen": case.stage == Stage.REFERRAL_RECEIVED and user.role in {Role.HHC, Role.PROJECT_MANAGER},
    })


@login_required
def case_screening(request, case_id: int):
    """Each cohort's rules against the referral, with the HHC's accept or decline."""
    _require_service(request, Role.HHC, Role.PROJECT_MANAGER)
    case = get_case_for_user(request, case_id, audit_view=request.method == "GET")
    area = get_area()
    results = evaluate_all(area, referral_facts(case.referral))
    if case.stage != Stage.REFERRAL_RECEIVED:
        messages.info(request, "This referral has already been screened.")
        return redirect("cases:detail", case_id=case.pk)
    form = ScreeningForm(request.POST or None, results=results)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        stored = [r.as_dict() for r in results]
        try:
            if data["decision"] == "accept":
                case_screen_accept(case=case, by=request.user, cohort=data["cohort"], results=stored,
                                   on=timezone.localdate(), note=data["reason"])
                message = f"Accepted into {area.cohort(data['cohort']).name}"
            else:
                case_screen_decline(case=case, by=request.user, reason=data["reason"],
                                    onward_referral=data["onward_referral"], results=stored, on=timezone.localdate())
                message = "Referral declined and onward referral recorded"
        except CaseActionRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            audit_record(request, AuditEvent.Action.CHANGE, object_type="case", object_id=case.pk,
                         person_id=case.person_id, summary=f"Screening decision: {data['decision']}")
            messages.success(request, message)
            return redirect("cases:detail", case_id=case.pk)
    return render(request, "cases/screening.html", {"case": case, "results": results, "form": form,
                                                    "referral": case.referral})


def _refused(request, case, form, template="cases/action.html", title=""):
    return render(request, template, {"case": case, "form": form, "title": title})


@login_required
@require_POST
def case_move_view(request, case_id: int):
    case = get_case_for_user(request, case_id)
    form = MoveForm(request.POST, case=case, user=request.user)
    if form.is_valid():
        data = form.cleaned_data
        try:
            case_move(case=case, to_stage=data["to_stage"], by=request.user, on=data["on"], note=data["note"],
                      closing_reason=data["closing_reason"])
        except CaseActionRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            audit_record(request, AuditEvent.Action.CHANGE, object_type="case", object_id=case.pk,
                         person_id=case.person_id, summary=f"Stage moved to {data['to_stage']}")
            messages.success(request, f"Case moved to: {Stage(data['to_stage']).label}")
            return redirect("cases:detail", case_id=case.pk)
    return _refused(request, case, form, title="Update the case's stage")


@login_required
def case_assign_view(request, case_id: int):
    _require_service(request, Role.HHC, Role.PROJECT_MANAGER)
    case = get_case_for_user(request, case_id, audit_view=request.method == "GET")
    form = AssignForm(request.POST or None, case=case)
    if request.method == "POST" and form.is_valid():
        try:
            case_assign(case=case, to_user=form.cleaned_data["to_user"], by=request.user,
                        note=form.cleaned_data["note"])
        except CaseActionRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            audit_record(request, AuditEvent.Action.CHANGE, object_type="case", object_id=case.pk,
                         person_id=case.person_id, summary="Case assigned")
            messages.success(request, f"Case assigned to {form.cleaned_data['to_user'].display_name}")
            return redirect("cases:detail", case_id=case.pk)
    return _refused(request, case, form, template="cases/assign.html", title="Assign or hand over")


@login_required
@require_POST
def case_note_view(request, case_id: int):
    case = get_case_for_user(request, case_id)
    form = NoteForm(request.POST)
    if form.is_valid():
        case_note_add(case=case, by=request.user, text=form.cleaned_data["text"])
        audit_record(request, AuditEvent.Action.CHANGE, object_type="case", object_id=case.pk,
                     person_id=case.person_id, summary="Case note added")
        messages.success(request, "Note added")
        return redirect("cases:detail", case_id=case.pk)
    return _refused(request, case, form, title="Add a case note")


@login_required
def overview(request):
    """Aggregate figures only: no names, no numbers that identify. Small counts are suppressed for
    everyone outside the service."""
    user = request.user
    if user.role not in {Role.COMMISSIONER, Role.EVALUATOR, Role.PROJECT_MANAGER}:
        raise Http404
    cases = Case.objects.all() if user.role != Role.PROJECT_MANAGER else Case.objects.filter(
        service_id=user.organisation_id)
    exact = user.role in SERVICE_ROLES
    show = (lambda n: str(n)) if exact else suppress
    by_stage = Counter(dict(cases.values_list("stage").annotate(n=Count("id")).values_list("stage", "n")))
    by_cohort = Counter(dict(cases.exclude(cohort="").values_list("cohort").annotate(n=Count("id"))
                             .values_list("cohort", "n")))
    by_reason = Counter(dict(cases.filter(stage=Stage.CLOSED).values_list("closing_reason").annotate(n=Count("id"))
                             .values_list("closing_reason", "n")))
    area = get_area()
    return render(request, "cases/overview.html", {
        "exact": exact,
        "total": show(sum(by_stage.values())),
        "stages": [(label, show(by_stage.get(value, 0))) for value, label in Stage.choices],
        "cohorts": [(c.name, show(by_cohort.get(c.code, 0))) for c in area.cohorts],
        "closing": [(label, show(by_reason.get(value, 0))) for value, label in ClosingReason.choices],
    })
