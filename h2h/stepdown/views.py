"""Step-down pages: the occupancy board, planning a stay from a case, and the placement page with its
arrival, care plan, weekly review and leaving forms. Rules live in services.py; views validate a form, call
one function, audit and redirect."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from h2h.audit.models import AuditEvent
from h2h.audit.services import audit_record
from h2h.cases.access import get_case_for_user
from h2h.stepdown import selectors, services
from h2h.stepdown.forms import ArriveForm, CarePlanForm, LeaveForm, PlanForm, ReviewForm
from h2h.stepdown.models import Placement
from h2h.stepdown.rules import stepdown_rules


def _require_service(request) -> None:
    if not request.user.in_service:
        raise Http404


def _audit_change(request, placement: Placement, summary: str, action=AuditEvent.Action.CHANGE) -> None:
    audit_record(
        request,
        action,
        object_type="stepdown_placement",
        object_id=placement.pk,
        person_id=placement.case.person_id,
        summary=summary,
    )


@login_required
def board(request):
    _require_service(request)
    try:
        on = date.fromisoformat(request.GET.get("on", ""))
    except ValueError:
        on = timezone.localdate()
    rules = stepdown_rules()
    rows = selectors.occupancy_board(request.user.organisation, on, rules)
    completed = list(selectors.completed_placements(request.user.organisation))
    occupied = [row for row in rows if row.placement]
    audit_record(
        request,
        AuditEvent.Action.LIST,
        object_type="stepdown_placement",
        summary=f"Step-down board for {on:%Y-%m-%d}: {len(occupied)} of {len(rows)} units occupied",
    )
    return render(
        request,
        "stepdown/board.html",
        {
            "rows": rows,
            "on": on,
            "rules": rules,
            "occupied": len(occupied),
            "average": selectors.average_length_of_stay(completed),
            "outcomes": selectors.outcome_counts(completed),
            "is_today": on == timezone.localdate(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan(request, case_id: int):
    case = get_case_for_user(request, case_id, audit_view=request.method == "GET")
    form = PlanForm(request.POST or None, service=request.user.organisation)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            placement = services.placement_plan(
                unit=data["unit"],
                case=case,
                planned_start=data["planned_start"],
                planned_end=data["planned_end"],
                by=request.user,
            )
        except services.PlacementRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            _audit_change(
                request,
                placement,
                f"Step-down placement planned in {placement.unit.name}",
                AuditEvent.Action.CREATE,
            )
            messages.success(request, f"Stay planned in {placement.unit.name}")
            return redirect("stepdown:placement", placement_id=placement.pk)
    return render(
        request,
        "stepdown/plan.html",
        {
            "form": form,
            "case": case,
            "person": case.person,
            "rules": stepdown_rules(),
            "placements": case.stepdown_placements.select_related("unit").order_by("-planned_start"),
        },
    )


def _placement_page(request, placement: Placement, status=200, **bound):
    rules = stepdown_rules()
    today = timezone.localdate()
    forms_ = {
        "arrive_form": ArriveForm(initial={"on": today}),
        "care_plan_form": CarePlanForm(
            initial={"on": today, "at_time": timezone.localtime().strftime("%H:%M")}
        ),
        "review_form": ReviewForm(initial={"on": today}),
        "leave_form": LeaveForm(initial={"on": today}),
        **bound,
    }
    board_row = None
    if placement.is_current:
        board_row = next(
            (
                row
                for row in selectors.occupancy_board(placement.unit.service, today, rules)
                if row.placement and row.placement.pk == placement.pk
            ),
            None,
        )
    return render(
        request,
        "stepdown/placement.html",
        {
            "placement": placement,
            "case": placement.case,
            "person": placement.case.person,
            "rules": rules,
            "row": board_row,
            "reviews": placement.reviews.select_related("by"),
            "care_plan_due": selectors.care_plan_due_on(placement, rules) if placement.arrived_on else None,
            **forms_,
        },
        status=status,
    )


@login_required
def placement_detail(request, placement_id: int):
    placement = selectors.get_placement_for_user(request, placement_id, audit_view=True)
    return _placement_page(request, placement)


def _transition(request, placement_id: int, form_class, form_key: str, apply, summary: str, done: str):
    placement = selectors.get_placement_for_user(request, placement_id)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            apply(placement, form)
        except services.PlacementRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            _audit_change(request, placement, summary)
            messages.success(request, done)
            return redirect("stepdown:placement", placement_id=placement.pk)
    return _placement_page(request, placement, status=400, **{form_key: form})


@login_required
@require_POST
def arrive(request, placement_id: int):
    return _transition(
        request,
        placement_id,
        ArriveForm,
        "arrive_form",
        lambda p, f: services.placement_arrive(placement=p, on=f.cleaned_data["on"], by=request.user),
        "Step-down arrival recorded",
        "Arrival recorded",
    )


@login_required
@require_POST
def care_plan(request, placement_id: int):
    return _transition(
        request,
        placement_id,
        CarePlanForm,
        "care_plan_form",
        lambda p, f: services.care_plan_record(placement=p, at=f.agreed_at(), by=request.user),
        "Step-down care and support plan recorded",
        "Care and support plan recorded",
    )


@login_required
@require_POST
def review(request, placement_id: int):
    return _transition(
        request,
        placement_id,
        ReviewForm,
        "review_form",
        lambda p, f: services.review_add(
            placement=p, on=f.cleaned_data["on"], note=f.cleaned_data["note"], by=request.user
        ),
        "Step-down review note added",
        "Review note added",
    )


@login_required
@require_POST
def leave(request, placement_id: int):
    return _transition(
        request,
        placement_id,
        LeaveForm,
        "leave_form",
        lambda p, f: services.placement_leave(
            placement=p,
            on=f.cleaned_data["on"],
            outcome=f.cleaned_data["outcome"],
            outcome_detail=f.cleaned_data["outcome_detail"],
            by=request.user,
        ),
        "Step-down leaving and outcome recorded",
        "Leaving date and outcome recorded",
    )


app_name = "stepdown"
urlpatterns = [
    path("", board, name="board"),
    path("plan/<int:case_id>/", plan, name="plan"),
    path("placements/<int:placement_id>/", placement_detail, name="placement"),
    path("placements/<int:placement_id>/arrive/", arrive, name="arrive"),
    path("placements/<int:placement_id>/care-plan/", care_plan, name="care-plan"),
    path("placements/<int:placement_id>/reviews/", review, name="review"),
    path("placements/<int:placement_id>/leave/", leave, name="leave"),
]
