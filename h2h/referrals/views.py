from datetime import date

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from h2h.accounts.roles import REFERRAL_KEYING_ROLES, Role
from h2h.audit.models import AuditEvent
from h2h.audit.services import audit_record
from h2h.referrals.forms import STEPS, ReferrerForm
from h2h.referrals.models import Referral
from h2h.referrals.selectors import get_referral_for_user, referral_queryset_for_user, referral_status
from h2h.referrals.services import referral_submit

DRAFT_KEY = "referral_draft"
STEP_NAMES = list(STEPS)


def _require_keying_role(request):
    if request.user.role not in REFERRAL_KEYING_ROLES:
        raise PermissionDenied


def _keyed_by_staff(user) -> bool:
    return user.role != Role.REFERRER


def _form_for(step: str, user, data=None):
    form_class = STEPS[step]
    if form_class is ReferrerForm:
        initial = {}
        if user.role == Role.REFERRER:
            initial = {"referrer_name": user.display_name, "referrer_role": user.job_title,
                       "referrer_phone": user.phone, "referrer_email": user.email}
        return ReferrerForm(data, keyed_by_staff=_keyed_by_staff(user), initial=initial)
    return form_class(data)


def _stored(request, step: str) -> QueryDict | None:
    raw = request.session.get(DRAFT_KEY, {}).get(step)
    if raw is None:
        return None
    data = QueryDict(mutable=True)
    for key, values in raw.items():
        data.setlist(key, values)
    return data


def _validated_draft(request):
    """Every step's form, validated from the session; the first step that is missing or invalid, if any."""
    forms_ = {}
    for step in STEP_NAMES:
        data = _stored(request, step)
        form = _form_for(step, request.user, data)
        if data is None or not form.is_valid():
            return forms_, step
        forms_[step] = form
    return forms_, None


@login_required
def referral_start(request):
    _require_keying_role(request)
    request.session[DRAFT_KEY] = {}
    return redirect("referrals:step", step=STEP_NAMES[0])


@login_required
@require_http_methods(["GET", "POST"])
def referral_step(request, step: str):
    _require_keying_role(request)
    if step not in STEPS:
        raise Http404
    changing = request.GET.get("change") == "1"
    if request.method == "POST":
        form = _form_for(step, request.user, request.POST)
        if form.is_valid():
            draft = request.session.get(DRAFT_KEY, {})
            draft[step] = {key: request.POST.getlist(key) for key in request.POST if key != "csrfmiddlewaretoken"}
            request.session[DRAFT_KEY] = draft
            index = STEP_NAMES.index(step)
            if changing or index == len(STEP_NAMES) - 1:
                return redirect("referrals:check")
            return redirect("referrals:step", step=STEP_NAMES[index + 1])
    else:
        form = _form_for(step, request.user, _stored(request, step))
    index = STEP_NAMES.index(step)
    back = reverse("referrals:check") if changing else (
        reverse("referrals:step", kwargs={"step": STEP_NAMES[index - 1]}) if index else reverse("home"))
    return render(request, "referrals/step.html", {
        "form": form, "step": step, "step_number": index + 1, "step_count": len(STEP_NAMES), "back": back,
        "keyed_by_staff": _keyed_by_staff(request.user),
    })


def _display(form) -> list[tuple[str, str]]:
    """Each answer as a person reads it: choice labels rather than codes, dates written out."""
    rows = []
    for name, field in form.fields.items():
        value = form.cleaned_data.get(name)
        choices = dict(getattr(field, "choices", []) or [])
        if isinstance(value, list):
            shown = "\n".join(str(choices.get(v, v)) for v in value)
        elif isinstance(value, bool):
            shown = "Yes" if value else "No"
        elif isinstance(value, date):
            shown = value.strftime("%-d %B %Y")
        elif value not in (None, "") and choices and not hasattr(value, "pk"):
            shown = str(choices.get(value, value))
        else:
            shown = "" if value is None else str(value)
        rows.append((field.label, shown))
    return rows


def _answers(forms_) -> dict:
    answers = {}
    for form in forms_.values():
        answers.update(form.cleaned_data)
    return answers


@login_required
@require_http_methods(["GET", "POST"])
def referral_check(request):
    """Check your answers, then submit. Nothing is saved until this page is submitted."""
    _require_keying_role(request)
    forms_, missing = _validated_draft(request)
    if missing:
        return redirect("referrals:step", step=missing)
    answers = _answers(forms_)
    if request.method == "POST":
        user = request.user
        organisation = answers.pop("referrer_organisation", None) or user.organisation
        via = answers.pop("received_via", None) or Referral.ReceivedVia.ONLINE
        referral = referral_submit(answers=answers, by=user, referrer_organisation=organisation, received_via=via)
        audit_record(request, AuditEvent.Action.CREATE, object_type="referral", object_id=referral.pk,
                     person_id=referral.person_id, summary=f"Referral {referral.reference} submitted")
        request.session.pop(DRAFT_KEY, None)
        return redirect("referrals:submitted", referral_id=referral.pk)
    sections = [(step, forms_[step].title, _display(forms_[step])) for step in STEP_NAMES]
    return render(request, "referrals/check.html", {"sections": sections})


@login_required
def referral_submitted(request, referral_id: int):
    referral = get_referral_for_user(request, referral_id)
    return render(request, "referrals/submitted.html", {"referral": referral})


@login_required
def referral_list(request):
    referrals = referral_queryset_for_user(request.user).select_related("person", "case", "referrer_organisation")
    if request.user.role not in REFERRAL_KEYING_ROLES:
        raise PermissionDenied
    page = list(referrals[:200])
    audit_record(request, AuditEvent.Action.LIST, object_type="referral",
                 summary=f"Referral list: {len(page)} shown")
    rows = [(r, *referral_status(r)) for r in page]
    return render(request, "referrals/list.html", {"rows": rows})


@login_required
def referral_detail(request, referral_id: int):
    referral = get_referral_for_user(request, referral_id)
    if request.user.in_service and referral.case_id:
        return redirect("cases:detail", case_id=referral.case_id)
    audit_record(request, AuditEvent.Action.VIEW, object_type="referral", object_id=referral.pk,
                 person_id=referral.person_id, summary=f"Referral {referral.reference} viewed")
    status, colour = referral_status(referral)
    return render(request, "referrals/detail.html", {"referral": referral, "status": status, "colour": colour})
