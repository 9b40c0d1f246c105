"""Pages for wrap-around support: a case's tasks and follow-up visits, "My work" for a coordinator, "Team work"
for the project manager (with reassignment), the overdue visits list, and safeguarding concerns on a case.

Tasks and visits are for the HHCs, project manager and admin support of the service holding the case;
safeguarding concerns for the HHCs and project manager only. Anyone else gets "not found".
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from h2h.accounts.roles import Role
from h2h.audit.models import AuditEvent
from h2h.audit.services import audit_record
from h2h.cases.access import get_case_for_user
from h2h.support.forms import ConcernForm, OutcomeForm, ReassignForm, TaskCloseForm, TaskForm, VisitForm
from h2h.support.models import SafeguardingConcern
from h2h.support.selectors import (
    SAFEGUARDING_ROLES,
    WORK_ROLES,
    concern_queryset_for_user,
    coordinators,
    overdue_visits,
    task_queryset_for_user,
    visit_queryset_for_user,
    work_queue,
)
from h2h.support.services import (
    SupportActionRefused,
    concern_outcome,
    concern_raise,
    task_add,
    task_change,
    task_close,
    visit_record,
    work_reassign,
    work_reassign_all,
)


def _require(request, roles) -> None:
    if not request.user.in_service or request.user.role not in roles:
        raise Http404


def _get(request, queryset, pk: int, roles=WORK_ROLES):
    _require(request, roles)
    try:
        return queryset.select_related("case", "case__person", "owner").get(pk=pk)
    except queryset.model.DoesNotExist:
        raise Http404("Not found") from None


def _audit(request, action, item, summary: str) -> None:
    audit_record(request, action, object_type=f"support_{type(item).__name__.lower()}", object_id=item.pk,
                 person_id=item.case.person_id, summary=summary)


def _back(request, default: str):
    """Where a quick action returns to: the page it came from when that is on this site."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(default)


@login_required
@require_http_methods(["GET", "POST"])
def case_support(request, case_id: int):
    _require(request, WORK_ROLES)
    case = get_case_for_user(request, case_id, audit_view=request.method == "GET")
    form = TaskForm(request.POST or None, coordinators=coordinators(request.user),
                    initial={"owner": case.assigned_to_id})
    if request.method == "POST" and form.is_valid():
        try:
            task = task_add(case=case, by=request.user, **form.cleaned_data)
        except SupportActionRefused as refused:
            form.add_error(None, str(refused))
        else:
            _audit(request, AuditEvent.Action.CREATE, task, f"Task '{task.title}' added")
            messages.success(request, f"Task added: {task.title}")
            return redirect("support:case", case_id=case.pk)
    return render(request, "support/case.html", {
        "case": case, "form": form, "today": timezone.localdate(),
        "tasks": case.tasks.select_related("owner", "done_by"),
        "visits": case.visits.select_related("owner", "done_by"),
        "can_safeguard": request.user.role in SAFEGUARDING_ROLES,
    })


@login_required
@require_http_methods(["GET", "POST"])
def task_edit(request, task_id: int):
    task = _get(request, task_queryset_for_user(request.user), task_id)
    people = coordinators(request.user)
    initial = {"title": task.title, "due_on": task.due_on, "owner": task.owner_id}
    form = TaskForm(request.POST or None, coordinators=people, initial=initial, prefix="edit")
    close_form = TaskCloseForm(prefix="close")
    if request.method == "POST" and form.is_valid():
        try:
            task = task_change(task=task, by=request.user, **form.cleaned_data)
        except SupportActionRefused as refused:
            form.add_error(None, str(refused))
        else:
            _audit(request, AuditEvent.Action.CHANGE, task, f"Task '{task.title}' changed")
            messages.success(request, f"Task changed: {task.title}")
            return redirect("support:case", case_id=task.case_id)
    elif request.method == "GET":
        _audit(request, AuditEvent.Action.VIEW, task, f"Task '{task.title}' viewed")
    return render(request, "support/task.html", {"task": task, "form": form, "close_form": close_form})


@login_required
@require_POST
def task_close_view(request, task_id: int):
    """Mark a task done (the quick button on My work) or not needed (with a reason)."""
    task = _get(request, task_queryset_for_user(request.user), task_id)
    form = TaskCloseForm(request.POST, prefix="close")
    if form.is_valid():
        try:
            task = task_close(task=task, by=request.user, status=form.cleaned_data["status"],
                              note=form.cleaned_data["note"])
        except SupportActionRefused as refused:
            form.add_error(None, str(refused))
        else:
            _audit(request, AuditEvent.Action.CHANGE, task, f"Task '{task.title}' {task.get_status_display().lower()}")
            messages.success(request, f"{task.title}: {task.get_status_display().lower()}")
            return _back(request, reverse("support:case", args=[task.case_id]))
    edit = TaskForm(coordinators=coordinators(request.user), prefix="edit",
                    initial={"title": task.title, "due_on": task.due_on, "owner": task.owner_id})
    return render(request, "support/task.html", {"task": task, "form": edit, "close_form": form}, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def visit_record_view(request, visit_id: int):
    visit = _get(request, visit_queryset_for_user(request.user), visit_id)
    form = VisitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            visit = visit_record(visit=visit, by=request.user, on=form.cleaned_data["done_on"],
                                 note=form.cleaned_data["note"])
        except SupportActionRefused as refused:
            form.add_error(None, str(refused))
        else:
            _audit(request, AuditEvent.Action.CHANGE, visit, f"{visit.get_kind_display()} recorded")
            messages.success(request, f"{visit.get_kind_display()} recorded")
            return redirect("support:case", case_id=visit.case_id)
    elif request.method == "GET":
        _audit(request, AuditEvent.Action.VIEW, visit, f"{visit.get_kind_display()} viewed")
    return render(request, "support/visit.html", {"visit": visit, "form": form, "today": timezone.localdate()})


@login_required
def my_work(request):
    """A coordinator's own open tasks and visits: the overdue first, then by due date."""
    _require(request, {Role.HHC})
    today = timezone.localdate()
    rows = work_queue(task_queryset_for_user(request.user).filter(owner=request.user),
                      visit_queryset_for_user(request.user).filter(owner=request.user), today)
    audit_record(request, AuditEvent.Action.LIST, object_type="support_work", summary=f"My work: {len(rows)} shown")
    return render(request, "support/my_work.html", {
        "rows": rows, "today": today, "overdue_count": sum(row.overdue for row in rows),
    })


@login_required
def team_work(request):
    """Everyone's open tasks and visits, for the project manager; filter by person and reassign."""
    _require(request, {Role.PROJECT_MANAGER})
    today = timezone.localdate()
    people = coordinators(request.user)
    tasks, visits = task_queryset_for_user(request.user), visit_queryset_for_user(request.user)
    person = request.GET.get("person", "")
    chosen = None
    if person == "none":
        tasks, visits = tasks.filter(owner__isnull=True), visits.filter(owner__isnull=True)
    elif person.isdigit():
        chosen = people.filter(pk=int(person)).first()
        if chosen is not None:
            tasks, visits = tasks.filter(owner=chosen), visits.filter(owner=chosen)
    rows = work_queue(tasks, visits, today)
    audit_record(request, AuditEvent.Action.LIST, object_type="support_work",
                 summary=f"Team work ({chosen.display_name if chosen else person or 'everyone'}): {len(rows)} shown")
    return render(request, "support/team_work.html", {
        "rows": rows, "today": today, "people": people, "person": person, "chosen": chosen,
        "overdue_count": sum(row.overdue for row in rows),
        "reassign_all_form": ReassignForm(coordinators=people.exclude(pk=chosen.pk) if chosen else people),
    })


@login_required
@require_http_methods(["GET", "POST"])
def reassign(request, kind: str, item_id: int):
    _require(request, {Role.PROJECT_MANAGER})
    queryset = {"task": task_queryset_for_user, "visit": visit_queryset_for_user}[kind](request.user)
    item = _get(request, queryset, item_id)
    form = ReassignForm(request.POST or None, coordinators=coordinators(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            item = work_reassign(item=item, to_user=form.cleaned_data["to_user"], by=request.user)
        except SupportActionRefused as refused:
            form.add_error(None, str(refused))
        else:
            _audit(request, AuditEvent.Action.CHANGE, item, f"{item.title} given to {item.owner.display_name}")
            messages.success(request, f"{item.title} given to {item.owner.display_name}")
            return redirect("support:team")
    return render(request, "support/reassign.html", {"item": item, "form": form})


@login_required
@require_POST
def reassign_all(request, user_id: int):
    _require(request, {Role.PROJECT_MANAGER})
    from_user = coordinators(request.user).filter(pk=user_id).first()
    if from_user is None:
        raise Http404
    form = ReassignForm(request.POST, coordinators=coordinators(request.user).exclude(pk=from_user.pk))
    if form.is_valid():
        to_user = form.cleaned_data["to_user"]
        try:
            moved = work_reassign_all(from_user=from_user, to_user=to_user, by=request.user)
        except SupportActionRefused as refused:
            messages.error(request, str(refused))
        else:
            audit_record(request, AuditEvent.Action.CHANGE, object_type="support_work",
                         summary=f"{moved} open items moved from {from_user.display_name} to {to_user.display_name}")
            messages.success(request, f"{moved} open tasks and visits given to {to_user.display_name}")
            return redirect(f"{reverse('support:team')}?person={to_user.pk}")
    messages.error(request, "Choose who to give the work to")
    return redirect(f"{reverse('support:team')}?person={from_user.pk}")


@login_required
def visits_overdue(request):
    """The service's follow-up visits past their due date, the oldest first."""
    _require(request, WORK_ROLES)
    today = timezone.localdate()
    rows = list(overdue_visits(visit_queryset_for_user(request.user), today).select_related("case", "case__person", "owner"))
    audit_record(request, AuditEvent.Action.LIST, object_type="support_visit", summary=f"Overdue visits: {len(rows)} shown")
    return render(request, "support/visits_overdue.html", {"rows": rows, "today": today})


@login_required
@require_http_methods(["GET", "POST"])
def case_safeguarding(request, case_id: int):
    _require(request, SAFEGUARDING_ROLES)
    case = get_case_for_user(request, case_id, audit_view=request.method == "GET")
    form = ConcernForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            concern = concern_raise(case=case, by=request.user, **form.cleaned_data)
        except SupportActionRefused as refused:
            form.add_error(None, str(refused))
        else:
            _audit(request, AuditEvent.Action.CREATE, concern, "Safeguarding concern raised")
            messages.success(request, "Safeguarding concern recorded")
            return redirect("support:safeguarding", case_id=case.pk)
    concerns = list(case.safeguarding_concerns.select_related("raised_by", "outcome_by"))
    if request.method == "GET":
        audit_record(request, AuditEvent.Action.LIST, object_type="support_safeguardingconcern",
                     person_id=case.person_id, summary=f"Safeguarding concerns on {case.reference}: {len(concerns)}")
    return render(request, "support/safeguarding.html", {"case": case, "form": form, "concerns": concerns})


@login_required
@require_http_methods(["GET", "POST"])
def concern_outcome_view(request, concern_id: int):
    _require(request, SAFEGUARDING_ROLES)
    try:
        concern = concern_queryset_for_user(request.user).select_related("case", "case__person").get(pk=concern_id)
    except SafeguardingConcern.DoesNotExist:
        raise Http404 from None
    form = OutcomeForm(request.POST or None, initial={"outcome": concern.outcome, "outcome_on": concern.outcome_on})
    if request.method == "POST" and form.is_valid():
        try:
            concern = concern_outcome(concern=concern, by=request.user, outcome=form.cleaned_data["outcome"],
                                      on=form.cleaned_data["outcome_on"])
        except SupportActionRefused as refused:
            form.add_error(None, str(refused))
        else:
            _audit(request, AuditEvent.Action.CHANGE, concern, "Safeguarding outcome recorded")
            messages.success(request, "Outcome recorded")
            return redirect("support:safeguarding", case_id=concern.case_id)
    elif request.method == "GET":
        _audit(request, AuditEvent.Action.VIEW, concern, "Safeguarding concern viewed")
    return render(request, "support/concern_outcome.html", {"concern": concern, "form": form})


app_name = "support"
urlpatterns = [
    path("my-work/", my_work, name="my-work"),
    path("team/", team_work, name="team"),
    path("team/<int:user_id>/reassign-all/", reassign_all, name="reassign-all"),
    path("visits/overdue/", visits_overdue, name="visits-overdue"),
    path("case/<int:case_id>/", case_support, name="case"),
    path("case/<int:case_id>/safeguarding/", case_safeguarding, name="safeguarding"),
    path("safeguarding/<int:concern_id>/outcome/", concern_outcome_view, name="concern-outcome"),
    path("task/<int:task_id>/", task_edit, name="task"),
    path("task/<int:task_id>/close/", task_close_view, name="task-close"),
    path("visit/<int:visit_id>/", visit_record_view, name="visit"),
    path("task/<int:item_id>/reassign/", reassign, {"kind": "task"}, name="task-reassign"),
    path("visit/<int:item_id>/reassign/", reassign, {"kind": "visit"}, name="visit-reassign"),
]
