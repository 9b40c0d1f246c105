"""Choice-Based Lettings pages: the weekly cycle, a void's shortlist, placing and withdrawing bids, and the
homes that match a case.

Staff of the service organisation in a lettings role see these pages; everybody else gets "not found". Names
are shown to service staff only: lettings officers work from application references.
"""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from h2h.accounts.roles import SERVICE_ROLES, Role
from h2h.area.config import get_area
from h2h.area.valuesets import PropertyType
from h2h.audit.models import AuditEvent
from h2h.audit.services import audit_record
from h2h.cases.access import get_case_for_user
from h2h.lettings.access import require_service_lettings
from h2h.lettings.cbl import (
    H2H_BIDDERS,
    PAGE_SIZE,
    CblActionRefused,
    adverts_closed,
    adverts_open,
    bid_place,
    bid_withdraw,
    cycle_advertise,
    is_service_lettings_officer,
    matching_for_application,
    matching_for_void,
    open_for_bids,
    shortlist,
    voids_to_advertise,
)
from h2h.lettings.models import Application, Bid, Void


def _require_lettings(request) -> None:
    require_service_lettings(request)


def _may_act_for(user, application) -> bool:
    """Whether this user places and withdraws bids for the application (as h2h.lettings.cbl.may_bid_for, from
    rows already loaded): an Application with its case, or an Applicant row."""
    if application.case_id is None:
        return is_service_lettings_officer(user)
    service_id = getattr(application, "service_id", None) or application.case.service_id
    return user.role in H2H_BIDDERS and service_id == user.organisation_id


def _back(request, default: str):
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(default)


@login_required
def cycle(request):
    """This week's lettings cycle: homes ready to advertise, adverts open for bids, adverts closed."""
    _require_lettings(request)
    today = timezone.localdate()
    can_run = is_service_lettings_officer(request.user)
    if request.method == "POST":
        if not can_run:
            raise Http404
        try:
            result = cycle_advertise(on=today, by=request.user)
        except CblActionRefused as refusal:
            messages.error(request, str(refusal))
        else:
            if result.advertised:
                closes = today + timedelta(days=get_area().lettings.cycle_days)
                messages.success(
                    request,
                    f"{result.advertised} home{'s' if result.advertised != 1 else ''} "
                    f"advertised, open for bids until {closes.day} {closes:%B %Y}.",
                )
            else:
                messages.info(request, "No ready homes were waiting: nothing more was advertised.")
        return redirect("lettings:cycle")
    active_bids = Count("bids", filter=Q(bids__withdrawn=False))
    context = {
        "today": today,
        "cycle_days": get_area().lettings.cycle_days,
        "waiting": voids_to_advertise().select_related("property").order_by("ready_on", "pk"),
        "open": adverts_open(today)
        .select_related("property")
        .annotate(active_bids=active_bids)
        .order_by("advert_closes_on", "pk"),
        "closed": adverts_closed(today)
        .select_related("property")
        .annotate(active_bids=active_bids)
        .order_by("advert_closes_on", "pk"),
        "can_run": can_run,
    }
    return render(request, "lettings/cbl/cycle.html", context)


@login_required
def void_shortlist(request, void_id: int):
    """A void's advert, its shortlist in order, the bidders left out with the reasons, and the H2H cases that
    fit it."""
    _require_lettings(request)
    void = get_object_or_404(Void.objects.select_related("property", "property__landlord"), pk=void_id)
    today = timezone.localdate()
    user = request.user
    service_staff = user.role in SERVICE_ROLES
    listing = shortlist(void, today, with_names=service_staff)
    cases = matching_for_void(void, today, listing=listing)
    is_open = open_for_bids(void, today)
    audit_record(
        request,
        AuditEvent.Action.LIST,
        object_type="void",
        object_id=void.pk,
        summary=f"Shortlist for {void.property.ref}: {len(listing.ranked)} ranked, "
        f"{len(listing.excluded)} left out, {len(cases)} H2H cases that fit",
    )
    band_names = {band.code: band.name for band in get_area().bands}
    context = {
        "void": void,
        "home": void.property,
        "home_features": _labels(void.property.features),
        "today": today,
        "is_open": is_open,
        "closed_for_bids": void.status == Void.Status.ADVERTISED
        and not is_open
        and void.advert_closes_on is not None
        and void.advert_closes_on < today,
        "show_names": service_staff,
        "ranked": [
            {
                "entry": entry,
                "band_name": band_names.get(entry.band, entry.band),
                "may_act": service_staff and _may_act_for(user, entry.application),
            }
            for entry in listing.ranked
        ],
        "excluded": listing.excluded,
        "cases": [
            {
                "fit": fit,
                "band_name": band_names.get(fit.applicant.band, fit.applicant.band),
                "may_bid": is_open and not fit.has_bid and _may_act_for(user, fit.applicant),
            }
            for fit in cases
        ],
        "can_bid_general": is_open and is_service_lettings_officer(user),
        # Offers are made down the shortlist (h2h/lettings/views_offers.py decides who is next).
        "can_offer": void.status == Void.Status.ADVERTISED
        and bool(listing.ranked)
        and user.role in (Role.HHC, Role.LETTINGS_OFFICER),
        "here": request.get_full_path(),
    }
    return render(request, "lettings/cbl/shortlist.html", context)


@login_required
@require_POST
def bid_place_view(request):
    """Place a bid: from a case's matching page or a shortlist (application id), or by a lettings officer
    for a general-needs applicant (application reference)."""
    _require_lettings(request)
    void = get_object_or_404(Void.objects.select_related("property"), pk=_int(request.POST.get("void")))
    back = reverse("lettings:void-shortlist", args=[void.pk])
    reference = request.POST.get("reference", "").strip()
    if reference:
        application = Application.objects.filter(reference__iexact=reference).first()
        if application is None:
            messages.error(
                request, f"Bid not placed: there is no application with the reference {reference}."
            )
            return _back(request, back)
    else:
        application = get_object_or_404(Application, pk=_int(request.POST.get("application")))
    try:
        bid = bid_place(void=void, application=application, by=request.user)
    except CblActionRefused as refusal:
        messages.error(request, f"Bid not placed: {refusal}")
        return _back(request, back)
    audit_record(
        request,
        AuditEvent.Action.CREATE,
        object_type="bid",
        object_id=bid.pk,
        person_id=application.case.person_id if application.case_id else None,
        summary=f"Bid for {void.property.ref} placed for {application.reference}",
    )
    messages.success(request, f"Bid placed for {application.reference} on {void.property.ref}.")
    return _back(request, back)


@login_required
@require_POST
def bid_withdraw_view(request, bid_id: int):
    _require_lettings(request)
    bid = get_object_or_404(
        Bid.objects.select_related("application", "application__case", "void__property"), pk=bid_id
    )
    back = reverse("lettings:void-shortlist", args=[bid.void_id])
    try:
        bid_withdraw(bid=bid, by=request.user)
    except CblActionRefused as refusal:
        messages.error(request, f"Bid not withdrawn: {refusal}")
        return _back(request, back)
    application = bid.application
    audit_record(
        request,
        AuditEvent.Action.CHANGE,
        object_type="bid",
        object_id=bid.pk,
        person_id=application.case.person_id if application.case_id else None,
        summary=f"Bid for {bid.void.property.ref} withdrawn for {application.reference}",
    )
    messages.success(request, f"Bid withdrawn for {application.reference} on {bid.void.property.ref}.")
    return _back(request, back)


@login_required
def case_matching(request, case_id: int):
    """The homes a case's application fits, best match first, with its place on each shortlist; and the
    homes it does not fit, with the rules that fail. A view of the person's record, so it is audited."""
    _require_lettings(request)
    case = get_case_for_user(request, case_id)
    application = Application.objects.filter(case=case).first()
    live = application is not None and application.status == Application.Status.LIVE
    page, unfit_page = _page(request, "page"), _page(request, "unfit_page")
    result = matching_for_application(application, page=page, unfit_page=unfit_page) if live else None
    audit_record(
        request,
        AuditEvent.Action.VIEW,
        object_type="case",
        object_id=case.pk,
        person_id=case.person_id,
        summary=f"Matching homes for {case.reference} viewed",
    )
    area = get_area()
    context = {
        "case": case,
        "person": case.person,
        "application": application,
        "result": result,
        "band": area.band(application.band) if application else None,
        "needs_features": _labels(application.needs_features) if application else [],
        "preferred_types": [
            PropertyType(t).label for t in application.preferred_types if t in PropertyType.values
        ]
        if application
        else [],
        "can_bid": live and request.user.role in H2H_BIDDERS,
        # A ready home not yet advertised can be asked for, to hold for a direct offer (views_offers.py).
        "can_hold": live and request.user.role == Role.HHC,
        "today": timezone.localdate(),
        "here": request.get_full_path(),
    }
    if result:
        today = context["today"]
        context["open_ids"] = {
            m.home.void_id for m in [*result.fits, *result.bids] if m.home.open_for_bids(today)
        }
        context["fit_pages"] = _pager(request, "page", page, result.fit_count)
        context["unfit_pages"] = _pager(request, "unfit_page", unfit_page, result.unfit_count)
    return render(request, "lettings/cbl/matching.html", context)


def _page(request, name: str) -> int:
    value = request.GET.get(name, "1")
    return max(1, min(int(value), 10_000)) if value.isdigit() else 1


def _pager(request, name: str, page: int, count: int) -> dict:
    """Previous and next links for one list on a page (GOV.UK pagination), keeping the other list's page."""
    last = max(1, -(-count // PAGE_SIZE))

    def link(number: int) -> str:
        query = request.GET.copy()
        query[name] = str(number)
        return "?" + query.urlencode()

    return {
        "page": page,
        "last": last,
        "previous": link(page - 1) if page > 1 else None,
        "next": link(page + 1) if page < last else None,
    }


def _labels(codes) -> list[str]:
    return [code.replace("_", " ") for code in codes]


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


urlpatterns = [
    path("cbl/cycle/", cycle, name="cycle"),
    path("cbl/voids/<int:void_id>/", void_shortlist, name="void-shortlist"),
    path("cbl/bids/", bid_place_view, name="bid-place"),
    path("cbl/bids/<int:bid_id>/withdraw/", bid_withdraw_view, name="bid-withdraw"),
    path("cbl/cases/<int:case_id>/matching/", case_matching, name="case-matching"),
]
