"""Pages for holds, offers, acceptance, refusal and sign-up. Thin: a form, one service call, a redirect.

Everyone here is staff of the organisation running the service in a lettings role; anyone else gets "not
found", as do records of another service's cases. Pages about an H2H case's application are views of that
person's record and are audited with the person's id.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from h2h.accounts.roles import LETTINGS_ROLES, Role
from h2h.audit.models import AuditEvent
from h2h.audit.services import audit_record
from h2h.cases.services import CaseActionRefused
from h2h.cases.stages import Stage
from h2h.lettings.access import require_service_lettings
from h2h.lettings import offers as services
from h2h.lettings.forms_offers import (
    HoldDecideForm,
    HoldRequestForm,
    OfferMakeForm,
    RefuseForm,
    ReleaseForm,
    SignUpForm,
    WithdrawForm,
)
from h2h.lettings.models import Application, Hold, Offer, Void
from h2h.lettings.rules import fit_problems

HM, HHC, LO, PM = Role.HOUSING_MANAGER, Role.HHC, Role.LETTINGS_OFFICER, Role.PROJECT_MANAGER


# ------------------------------------------------------------------------------------------------ access

def _require_lettings(request, *roles) -> None:
    require_service_lettings(request, roles or LETTINGS_ROLES)


def _visible(request, application: Application) -> None:
    if application.case_id and application.case.service_id != request.user.organisation_id:
        raise Http404


def _get_void(request, void_id: int) -> Void:
    try:
        return Void.objects.select_related("property").get(pk=void_id)
    except Void.DoesNotExist:
        raise Http404("No such home") from None


def _get_offer(request, offer_id: int) -> Offer:
    try:
        offer = Offer.objects.select_related("void__property", "application__case__person", "made_by").get(
            pk=offer_id)
    except Offer.DoesNotExist:
        raise Http404("No such offer") from None
    _visible(request, offer.application)
    return offer


def _get_hold(request, hold_id: int) -> Hold:
    try:
        hold = Hold.objects.select_related(
            "void__property", "application__case__person", "requested_by", "decided_by"
        ).get(pk=hold_id)
    except Hold.DoesNotExist:
        raise Http404("No such hold") from None
    _visible(request, hold.application)
    return hold


def _audit(request, action: str, application: Application, object_type: str, object_id, summary: str) -> None:
    person_id = application.case.person_id if application.case_id else None
    audit_record(request, action, object_type=object_type, object_id=object_id, person_id=person_id,
                 summary=summary)


def _applications_for_hold(request, void: Void):
    """Live H2H applications of this service, free to be offered a home, that fit this one and have no home
    held already."""
    candidates = (
        Application.objects.filter(status=Application.Status.LIVE, case__stage=Stage.APPLICATION_LIVE,
                                   case__service_id=request.user.organisation_id)
        .exclude(holds__status__in=services.LIVE_HOLD)
        .exclude(offers__status__in=services.LIVE_OFFER)
        .select_related("case__person")
        .order_by("case__person__last_name", "id")
    )
    fitting = [a.pk for a in candidates if not fit_problems(a, void.property, timezone.localdate())]
    return candidates.filter(pk__in=fitting)


# ------------------------------------------------------------------------------------------------ holds

@login_required
def hold_request(request, void_id: int):
    _require_lettings(request, HHC)
    void = _get_void(request, void_id)
    applications = _applications_for_hold(request, void)
    chosen = applications.filter(pk=request.GET["application"]).first() \
        if request.GET.get("application", "").isdigit() else None
    back = reverse("cases:detail", args=[chosen.case_id]) if chosen else reverse("home")
    form = HoldRequestForm(request.POST or None, applications=applications,
                           initial={"application": chosen.pk} if chosen else {})
    if request.method == "POST" and form.is_valid():
        application = form.cleaned_data["application"]
        try:
            hold = services.hold_request(void=void, application=application, by=request.user,
                                         reason=form.cleaned_data["reason"])
        except CaseActionRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            _audit(request, AuditEvent.Action.CREATE, application, "hold", hold.pk,
                   f"Asked to hold {void.property.ref}")
            messages.success(request, "Request sent to the housing manager")
            return redirect("lettings:hold-decide", hold_id=hold.pk)
    if request.method == "GET" and chosen:
        _audit(request, AuditEvent.Action.VIEW, chosen, "application", chosen.pk,
               f"Application shown to hold {void.property.ref}")
    elif request.method == "GET":
        audit_record(request, AuditEvent.Action.LIST, object_type="application",
                     summary=f"Applications that fit {void.property.ref}: {applications.count()} shown")
    return render(request, "lettings/offers/hold_request.html", {
        "void": void, "form": form, "back": back, "any_fit": applications.exists(),
        "can_hold": void.status == Void.Status.READY,
    })


@login_required
def holds(request):
    """The housing manager's queue: requests waiting for a decision, then the latest decisions."""
    _require_lettings(request)
    visible = Hold.objects.filter(application__case__service_id=request.user.organisation_id).select_related(
        "void__property", "application__case__person", "requested_by", "decided_by")
    waiting = list(visible.filter(status=Hold.Status.REQUESTED).order_by("requested_at", "id"))
    recent = list(visible.exclude(status=Hold.Status.REQUESTED).order_by("-decided_at", "-id")[:20])
    audit_record(request, AuditEvent.Action.LIST, object_type="hold",
                 summary=f"Holds: {len(waiting)} waiting, {len(recent)} decided shown")
    return render(request, "lettings/offers/holds.html", {"waiting": waiting, "recent": recent})


@login_required
def hold_decide(request, hold_id: int):
    """The hold in full; the housing manager decides it here."""
    _require_lettings(request)
    hold = _get_hold(request, hold_id)
    can_decide = request.user.role == HM and hold.status == Hold.Status.REQUESTED
    form = HoldDecideForm(request.POST or None)
    if request.method == "POST":
        if not can_decide:
            raise Http404
        if form.is_valid():
            approve = form.cleaned_data["decision"] == "approve"
            try:
                services.hold_decide(hold=hold, by=request.user, approve=approve,
                                     note=form.cleaned_data["note"])
            except CaseActionRefused as refusal:
                form.add_error(None, str(refusal))
            else:
                _audit(request, AuditEvent.Action.CHANGE, hold.application, "hold", hold.pk,
                       f"Hold {'approved' if approve else 'refused'}")
                messages.success(request, f"Request {'approved: the home is held' if approve else 'refused'}")
                return redirect("lettings:holds")
    else:
        _audit(request, AuditEvent.Action.VIEW, hold.application, "hold", hold.pk, f"Hold {hold.pk} viewed")
    return render(request, "lettings/offers/hold_detail.html", {
        "hold": hold,
        "form": form if can_decide else None,
        "own_request": hold.requested_by_id == request.user.pk,
        "can_release": hold.status in services.LIVE_HOLD and request.user.role in {HHC, HM, LO},
        "can_offer": hold.status == Hold.Status.APPROVED and hold.void.status == Void.Status.HELD
        and request.user.role == HHC,
        "release_form": ReleaseForm(),
    })


@login_required
@require_POST
def hold_release(request, hold_id: int):
    _require_lettings(request, HHC, HM, LO)
    hold = _get_hold(request, hold_id)
    form = ReleaseForm(request.POST)
    form.is_valid()
    try:
        services.hold_release(hold=hold, by=request.user, note=form.cleaned_data.get("note", ""))
    except CaseActionRefused as refusal:
        messages.error(request, str(refusal))
    else:
        _audit(request, AuditEvent.Action.CHANGE, hold.application, "hold", hold.pk, "Hold released")
        messages.success(request, "Hold released: the home is ready to let")
    return redirect("lettings:hold-decide", hold_id=hold.pk)


# ------------------------------------------------------------------------------------------------ offers

def _who_is_next(void: Void):
    """(kind, application, shortlist position or None, why nobody) for the offer page."""
    if void.status == Void.Status.HELD:
        approved = void.holds.filter(status=Hold.Status.APPROVED)
        hold = approved.select_related("application__case__person").first()
        if hold is not None:
            return Offer.Kind.DIRECT, hold.application, None, ""
        return Offer.Kind.DIRECT, None, None, "The hold on this home has no approved request."
    if void.status == Void.Status.ADVERTISED:
        application, position = services.next_in_line(void)
        why = "" if application else "Nobody left on the shortlist fits this home and can be offered it now."
        return Offer.Kind.SHORTLIST, application, position, why
    return None, None, None, f"This home is '{void.get_status_display().lower()}', so it cannot be offered now."


@login_required
def offer_make(request, void_id: int):
    _require_lettings(request, HHC, LO)
    void = _get_void(request, void_id)
    kind, application, position, why = _who_is_next(void)
    form = OfferMakeForm(request.POST or None, initial={"application": application.pk if application else None})
    if request.method == "POST" and form.is_valid():
        chosen = Application.objects.select_related("case__person").filter(
            pk=form.cleaned_data["application"]).first()
        if chosen is None:
            raise Http404
        _visible(request, chosen)
        try:
            offer = services.offer_make(void=void, application=chosen, by=request.user, kind=kind or "",
                                        viewing_on=form.cleaned_data["viewing_on"])
        except CaseActionRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            _audit(request, AuditEvent.Action.CREATE, chosen, "offer", offer.pk,
                   f"Offer of {void.property.ref} made")
            messages.success(request, f"{void.property} offered to {services.applicant_name(chosen)}")
            return redirect("lettings:offer-detail", offer_id=offer.pk)
    elif application is not None:
        _visible(request, application)
        _audit(request, AuditEvent.Action.VIEW, application, "application", application.pk,
               f"Next for {void.property.ref} shown")
    return render(request, "lettings/offers/offer_make.html", {
        "void": void, "kind": kind, "application": application, "position": position, "why": why, "form": form,
        "name": services.applicant_name(application) if application else "",
        "can_make": application is not None and services.may_act_on_offer(request.user, application)
        and (kind == Offer.Kind.SHORTLIST or request.user.role == HHC),
    })


@login_required
def offer_list(request):
    """Offers waiting for an answer or a sign-up, oldest first, then the latest closed ones."""
    _require_lettings(request)
    # General-needs applicants belong to the register; H2H applications only to their own service.
    mine = Q(application__case__isnull=True) | Q(application__case__service_id=request.user.organisation_id)
    visible = Offer.objects.filter(mine).select_related("void__property", "application__case__person")
    open_offers = list(visible.filter(status__in=[Offer.Status.OFFERED, Offer.Status.ACCEPTED])
                       .order_by("made_at", "id"))
    closed = list(visible.exclude(status__in=[Offer.Status.OFFERED, Offer.Status.ACCEPTED])
                  .order_by("-decided_at", "-id")[:20])
    audit_record(request, AuditEvent.Action.LIST, object_type="offer",
                 summary=f"Offers: {len(open_offers)} open, {len(closed)} closed shown")
    return render(request, "lettings/offers/offer_list.html", {"open_offers": open_offers, "closed": closed})


def _detail_context(request, offer: Offer, **extra) -> dict:
    user = request.user
    can_act = services.may_act_on_offer(user, offer.application)
    open_ = offer.status in (Offer.Status.OFFERED, Offer.Status.ACCEPTED)
    return {
        "offer": offer,
        "name": services.applicant_name(offer.application),
        "can_accept": can_act and offer.status == Offer.Status.OFFERED,
        "can_refuse": can_act and open_,
        "can_withdraw": can_act and user.role == LO and open_,
        "can_sign_up": can_act and offer.status == Offer.Status.ACCEPTED,
        "later_offers": offer.void.offers.filter(made_at__gte=offer.made_at).exclude(pk=offer.pk)
        .select_related("application__case__person").order_by("made_at", "id"),
        **extra,
    }


@login_required
def offer_detail(request, offer_id: int):
    _require_lettings(request)
    offer = _get_offer(request, offer_id)
    _audit(request, AuditEvent.Action.VIEW, offer.application, "offer", offer.pk, f"Offer {offer.pk} viewed")
    return render(request, "lettings/offers/offer_detail.html", _detail_context(request, offer))


@login_required
@require_POST
def offer_accept(request, offer_id: int):
    _require_lettings(request, HHC, LO)
    offer = _get_offer(request, offer_id)
    try:
        services.offer_accept(offer=offer, by=request.user)
    except CaseActionRefused as refusal:
        # A conflict (someone else accepted first, say) is shown on the offer, as a clear message.
        offer.refresh_from_db()
        return render(request, "lettings/offers/offer_detail.html",
                      _detail_context(request, offer, refusal=str(refusal)), status=409)
    _audit(request, AuditEvent.Action.CHANGE, offer.application, "offer", offer.pk, "Offer accepted")
    messages.success(request, "Acceptance recorded. Next: sign-up with the tenancy start date")
    return redirect("lettings:offer-detail", offer_id=offer.pk)


def _offer_form_view(request, offer_id: int, *, form_class, template_title: str, button: str, act, done):
    """Refuse, withdraw and sign-up share a page: a form about one offer, a service call, back to the offer."""
    _require_lettings(request, HHC, LO)
    offer = _get_offer(request, offer_id)
    if not services.may_act_on_offer(request.user, offer.application):
        raise Http404
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = act(offer, form.cleaned_data)
        except CaseActionRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            return done(offer, result)
    elif request.method == "GET":
        _audit(request, AuditEvent.Action.VIEW, offer.application, "offer", offer.pk,
               f"Offer {offer.pk} viewed")
    return render(request, "lettings/offers/offer_form.html", {
        "offer": offer, "name": services.applicant_name(offer.application), "form": form,
        "title": template_title, "button": button,
    })


@login_required
def offer_refuse(request, offer_id: int):
    def act(offer, data):
        return services.offer_refuse(offer=offer, by=request.user, reason=data["reason"])

    def done(offer, next_offer):
        _audit(request, AuditEvent.Action.CHANGE, offer.application, "offer", offer.pk, "Offer refused")
        if next_offer is not None:
            _audit(request, AuditEvent.Action.CREATE, next_offer.application, "offer", next_offer.pk,
                   f"Offer of {offer.void.property.ref} made to the next on the shortlist")
            messages.success(request, f"Refusal recorded. The home has been offered to the next person on the "
                                      f"shortlist, {services.applicant_name(next_offer.application)}")
        elif offer.kind == Offer.Kind.DIRECT:
            messages.success(request, "Refusal recorded. The hold is released and the home is ready to let")
        else:
            messages.success(request, "Refusal recorded. Nobody else on the shortlist can be offered the home: "
                                      "it is back to advertised")
        return redirect("lettings:offer-detail", offer_id=offer.pk)

    return _offer_form_view(request, offer_id, form_class=RefuseForm, template_title="Record a refusal",
                            button="Record the refusal", act=act, done=done)


@login_required
def offer_withdraw(request, offer_id: int):
    _require_lettings(request, LO)

    def act(offer, data):
        return services.offer_withdraw(offer=offer, by=request.user, reason=data["reason"])

    def done(offer, _):
        _audit(request, AuditEvent.Action.CHANGE, offer.application, "offer", offer.pk, "Offer withdrawn")
        messages.success(request, "Offer withdrawn")
        return redirect("lettings:offer-detail", offer_id=offer.pk)

    return _offer_form_view(request, offer_id, form_class=WithdrawForm, template_title="Withdraw the offer",
                            button="Withdraw the offer", act=act, done=done)


@login_required
def offer_sign_up(request, offer_id: int):
    def act(offer, data):
        return services.offer_sign_up(offer=offer, by=request.user, tenancy_start=data["tenancy_start"])

    def done(offer, _):
        _audit(request, AuditEvent.Action.CHANGE, offer.application, "offer", offer.pk, "Tenancy signed up")
        start = offer.tenancy_start
        messages.success(request, f"Tenancy start recorded: {start.day} {start:%B %Y}. The case has moved on")
        return redirect("lettings:offer-detail", offer_id=offer.pk)

    return _offer_form_view(request, offer_id, form_class=SignUpForm, template_title="Record the sign-up",
                            button="Record the sign-up", act=act, done=done)


urlpatterns = [
    path("voids/<int:void_id>/hold/", hold_request, name="hold-request"),
    path("holds/", holds, name="holds"),
    path("holds/<int:hold_id>/", hold_decide, name="hold-decide"),
    path("holds/<int:hold_id>/release/", hold_release, name="hold-release"),
    path("voids/<int:void_id>/offer/", offer_make, name="offer-make"),
    path("offers/", offer_list, name="offer-list"),
    path("offers/<int:offer_id>/", offer_detail, name="offer-detail"),
    path("offers/<int:offer_id>/accept/", offer_accept, name="offer-accept"),
    path("offers/<int:offer_id>/refuse/", offer_refuse, name="offer-refuse"),
    path("offers/<int:offer_id>/withdraw/", offer_withdraw, name="offer-withdraw"),
    path("offers/<int:offer_id>/sign-up/", offer_sign_up, name="offer-sign-up"),
]
