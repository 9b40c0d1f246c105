"""Holds, direct offers, shortlist offers, acceptance, refusal and sign-up.

Lifecycle (statuses are documented on the models):
- Hold: an HHC asks to keep a READY void back for one LIVE H2H application (reason required); the housing
  manager, never the person who asked, approves (void → HELD) or refuses (void stays READY).
- Direct offer: the HHC offers a HELD void to the application it is held for.
- Shortlist offer: a lettings officer offers an ADVERTISED void to the next person in line: the highest-ranked
  fitting bidder who has not been offered it yet. An HHC may make it too when that person is an H2H case of
  their service. Offers may be made while bidding is still open as well as after it closes: the service's
  aim is speed, and the shortlist at the moment of the offer decides who is next (later bids that rank
  higher are not "owed" the home). Lettings officers normally wait for the cycle to close.
- Refusal (reason required) sends the case back to APPLICATION_LIVE and offers the home to the next person in
  line automatically; a refused direct offer releases the hold and the void goes back to READY.
- Sign-up records the tenancy start date: the void is LET, the application HOUSED, and the case moves to
  TENANCY_START dated the tenancy start, which stops the rehousing clock.

Row locks are always taken in the same order — void, then application, then offer or hold, then the case (in
case_move) — so two requests never wait on each other in a circle. The database constraints on Offer and Hold
are the last line: a write that would break one becomes a CaseActionRefused, never a server error.
"""

from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

from h2h.accounts.models import User
from h2h.accounts.roles import Role
from h2h.area.config import get_area
from h2h.cases.services import CaseActionRefused, case_move
from h2h.cases.stages import Stage
from h2h.lettings.cbl import shortlist
from h2h.lettings.models import LIVE_HOLD, LIVE_OFFER, Application, Bid, Hold, Offer, Void
from h2h.lettings.rules import fit_problems

TAKEN = (Offer.Status.ACCEPTED, Offer.Status.SIGNED_UP)


def applicant_name(application: Application) -> str:
    return application.case.person.full_name if application.case_id else application.applicant_name


# ------------------------------------------------------------------------------------------------ who may act

def _in_service(by: User, application: Application | None = None) -> bool:
    """Active staff of the organisation running the service (and of the case's service, for H2H cases)."""
    if not (by.is_active and by.organisation_id):
        return False
    if application is not None and application.case_id:
        return by.organisation_id == application.case.service_id
    return by.organisation.code == get_area().service_organisation


def may_act_on_offer(by: User, application: Application) -> bool:
    """Lettings officers act for anyone on the register; HHCs only for the service's H2H cases."""
    if not _in_service(by, application):
        return False
    return by.role == Role.LETTINGS_OFFICER or (by.role == Role.HHC and application.case_id is not None)


def _require_offer_actor(by: User, application: Application, action: str) -> None:
    if not may_act_on_offer(by, application):
        raise CaseActionRefused(
            f"Only a lettings officer, or a coordinator for an H2H case of this service, can {action}."
        )


# ------------------------------------------------------------------------------------------------ locking

def _lock_void(void_id: int) -> Void:
    return Void.objects.select_for_update(of=("self",)).select_related("property").get(pk=void_id)


def _lock_application(application_id: int) -> Application:
    locking = Application.objects.select_for_update(of=("self",))
    return locking.select_related("case", "case__person").get(pk=application_id)


def _lock_offer(offer_id: int) -> Offer:
    return Offer.objects.select_for_update().get(pk=offer_id)


def _status(offer: Offer) -> str:
    return offer.get_status_display().lower()


def _refresh(*objects) -> None:
    for obj in objects:
        obj.refresh_from_db()


def _case_to(application: Application, stage: str, by: User, on: date, note: str = "", payload=None) -> None:
    if application.case_id:
        case_move(case=application.case, to_stage=stage, by=by, on=on, note=note, payload=payload)


# ------------------------------------------------------------------------------------------------ holds

def hold_request(*, void: Void, application: Application, by: User, reason: str) -> Hold:
    """An HHC asks to keep a ready, not yet advertised home back for one H2H case, to offer it directly."""
    if not (by.role == Role.HHC and application.case_id and _in_service(by, application)):
        raise CaseActionRefused("Only a coordinator can ask to hold a home, for an H2H case of this service.")
    if not reason.strip():
        raise CaseActionRefused("Enter why the home should be held for this person.")
    try:
        with transaction.atomic():
            void = _lock_void(void.pk)
            application = _lock_application(application.pk)
            if void.status != Void.Status.READY:
                raise CaseActionRefused(
                    f"Only a home that is ready to let and not yet advertised can be held; this one is "
                    f"'{void.get_status_display().lower()}'."
                )
            if application.status != Application.Status.LIVE:
                raise CaseActionRefused("The application must be signed off (live) before a home is held.")
            if Hold.objects.filter(void=void, status__in=LIVE_HOLD).exists():
                raise CaseActionRefused("This home already has a hold, or a request to hold it.")
            if Hold.objects.filter(application=application, status__in=LIVE_HOLD).exists():
                raise CaseActionRefused("This person already has a home held, or a request to hold one.")
            problems = fit_problems(application, void.property, timezone.localdate())
            if problems:
                raise CaseActionRefused("The home does not fit this person: " + "; ".join(problems) + ".")
            return Hold.objects.create(void=void, application=application, reason=reason.strip(),
                                       requested_by=by)
    except IntegrityError:
        raise CaseActionRefused("This home already has a hold, or a request to hold it.") from None


def hold_decide(*, hold: Hold, by: User, approve: bool, note: str = "") -> Hold:
    """The housing manager approves (the home is HELD) or refuses (it stays READY) a request to hold."""
    if not (by.role == Role.HOUSING_MANAGER and _in_service(by, hold.application)):
        raise CaseActionRefused("Only a housing manager of this service can decide a request to hold a home.")
    # Separation of duties: nobody approves their own request, whatever roles they hold.
    if by.pk == hold.requested_by_id:
        raise CaseActionRefused("You asked for this hold, so another manager must decide it.")
    if not approve and not note.strip():
        raise CaseActionRefused("Enter why the request to hold is refused.")
    with transaction.atomic():
        void = _lock_void(hold.void_id)
        application = _lock_application(hold.application_id)
        locked = Hold.objects.select_for_update().get(pk=hold.pk)
        if locked.status != Hold.Status.REQUESTED:
            decided = locked.get_status_display().lower()
            raise CaseActionRefused(f"This request was already decided ({decided}).")
        if approve:
            if void.status != Void.Status.READY:
                raise CaseActionRefused(
                    f"The home is no longer ready to hold ('{void.get_status_display().lower()}'): "
                    "refuse the request."
                )
            if application.status != Application.Status.LIVE:
                raise CaseActionRefused("The application is no longer live: refuse the request.")
            void.status = Void.Status.HELD
            void.save(update_fields=["status"])
        locked.status = Hold.Status.APPROVED if approve else Hold.Status.REFUSED
        locked.decided_at = timezone.now()
        locked.decided_by = by
        locked.decision_note = note.strip()
        locked.save(update_fields=["status", "decided_at", "decided_by", "decision_note"])
    _refresh(hold)
    return hold


def hold_release(*, hold: Hold, by: User, note: str = "") -> Hold:
    """End a hold (or withdraw a request): the home goes back to READY. Not while a direct offer is live."""
    allowed = by.role in {Role.HHC, Role.HOUSING_MANAGER, Role.LETTINGS_OFFICER}
    if not (allowed and _in_service(by, hold.application)):
        raise CaseActionRefused(
            "Only a coordinator, housing manager or lettings officer of this service can release a hold."
        )
    with transaction.atomic():
        void = _lock_void(hold.void_id)
        locked = Hold.objects.select_for_update().get(pk=hold.pk)
        _release_locked(locked, void, by, note)
    _refresh(hold)
    return hold


def _release_locked(hold: Hold, void: Void, by: User, note: str) -> None:
    if hold.status not in LIVE_HOLD:
        raise CaseActionRefused(f"This hold has already ended ({hold.get_status_display().lower()}).")
    if Offer.objects.filter(void=void, status__in=LIVE_OFFER).exists():
        raise CaseActionRefused("A direct offer of this home is still open: withdraw or refuse it first.")
    if hold.status == Hold.Status.APPROVED and void.status == Void.Status.HELD:
        void.status = Void.Status.READY
        void.save(update_fields=["status"])
    hold.status = Hold.Status.RELEASED
    hold.decision_note = "\n".join(part for part in (hold.decision_note, note.strip()) if part)
    hold.save(update_fields=["status", "decision_note"])


# ------------------------------------------------------------------------------------------------ the shortlist

def can_be_offered(application: Application) -> bool:
    """Live, not waiting on or holding another offer, and (for H2H) at the stage where an offer can be made."""
    if application.status != Application.Status.LIVE:
        return False
    if application.case_id and application.case.stage != Stage.APPLICATION_LIVE:
        return False
    return not Offer.objects.filter(application=application, status__in=LIVE_OFFER).exists()


def next_in_line(void: Void, *, passed_over=frozenset()) -> tuple[Application, int] | tuple[None, None]:
    """The highest-ranked fitting bidder who has not been offered this home and can be offered now, with
    their shortlist position."""
    offered = set(Offer.objects.filter(void=void).values_list("application_id", flat=True))
    for entry in shortlist(void).ranked:
        application = entry.application
        if application.pk not in offered and application.pk not in passed_over and can_be_offered(application):
            return application, entry.position
    return None, None


# ------------------------------------------------------------------------------------------------ offers

def offer_make(
    *, void: Void, application: Application, by: User, kind: str, viewing_on: date | None = None
) -> Offer:
    """Offer a home: DIRECT for a void held for this application, SHORTLIST to the next person in line."""
    if kind == Offer.Kind.DIRECT:
        if not (by.role == Role.HHC and application.case_id and _in_service(by, application)):
            raise CaseActionRefused("Only a coordinator makes a direct offer, for an H2H case of this service.")
    elif kind == Offer.Kind.SHORTLIST:
        _require_offer_actor(by, application, "make this offer")
    else:
        raise CaseActionRefused("Choose a direct offer or an offer from the shortlist.")
    with transaction.atomic():
        return _make_locked(_lock_void(void.pk), application, by, kind, viewing_on)


def _make_locked(void: Void, application: Application, by: User, kind: str, viewing_on: date | None,
                 *, ranked: bool = False) -> Offer:
    """Make the offer with the void row already locked; ranked means the caller has just found this
    application next in line."""
    try:
        with transaction.atomic():
            application = _lock_application(application.pk)
            if void.status == Void.Status.LET:
                raise CaseActionRefused("This home has already been let.")
            if Offer.objects.filter(void=void, status__in=LIVE_OFFER).exists():
                raise CaseActionRefused("This home has already been offered to someone else.")
            if kind == Offer.Kind.DIRECT:
                _check_direct(void, application)
            elif not ranked:
                _check_shortlist(void, application)
            if not can_be_offered(application):
                raise CaseActionRefused(f"{applicant_name(application)} cannot be offered a home now: the "
                                        "application is not live or they already have an offer.")
            offer = Offer.objects.create(void=void, application=application, kind=kind, made_by=by,
                                         viewing_on=viewing_on)
            void.status = Void.Status.OFFERED
            void.save(update_fields=["status"])
            _case_to(application, Stage.OFFER, by, timezone.localdate(), note=f"Offered {void.property}",
                     payload={"offer": offer.pk, "void": void.pk, "kind": kind})
            return offer
    except IntegrityError:
        raise CaseActionRefused("This home has already been offered to someone else.") from None


def _offer_to_next(void: Void, by: User) -> Offer | None:
    """After a refusal, offer the home to the next person in line; anyone who cannot take it right now (their
    case moved on meanwhile, say) is passed over for this round. None when nobody is left."""
    passed_over: set[int] = set()
    while True:
        candidate, _ = next_in_line(void, passed_over=passed_over)
        if candidate is None:
            return None
        try:
            return _make_locked(void, candidate, by, Offer.Kind.SHORTLIST, None, ranked=True)
        except CaseActionRefused:
            void.refresh_from_db()
            passed_over.add(candidate.pk)


def _check_direct(void: Void, application: Application) -> None:
    held = Hold.objects.filter(void=void, application=application, status=Hold.Status.APPROVED).exists()
    if void.status != Void.Status.HELD or not held:
        raise CaseActionRefused("A direct offer needs the home held for this person, approved by a manager.")


def _check_shortlist(void: Void, application: Application) -> None:
    if void.status != Void.Status.ADVERTISED:
        raise CaseActionRefused("Only an advertised home is offered from its shortlist.")
    expected, _ = next_in_line(void)
    if expected is None or expected.pk != application.pk:
        raise CaseActionRefused(f"{applicant_name(application)} is not next on the shortlist for this home.")


def _offer_locks(offer: Offer) -> tuple[Void, Application, Offer]:
    return _lock_void(offer.void_id), _lock_application(offer.application_id), _lock_offer(offer.pk)


def offer_accept(*, offer: Offer, by: User) -> Offer:
    """Record that the person accepted. Exactly one acceptance per home and per person, even when many arrive
    at once: the rows are locked and checked, and the constraints catch anything that slips past."""
    _require_offer_actor(by, offer.application, "record an acceptance")
    try:
        with transaction.atomic():
            void, application, locked = _offer_locks(offer)
            refusal = _accept_refusal(void, application, locked)
            if refusal:
                raise CaseActionRefused(refusal)
            locked.status = Offer.Status.ACCEPTED
            locked.decided_at = timezone.now()
            locked.save(update_fields=["status", "decided_at"])
    except IntegrityError as error:
        if "application" in str(error):
            raise CaseActionRefused("This person has already accepted another home.") from None
        raise CaseActionRefused("This home has already been accepted by someone else.") from None
    _refresh(offer)
    return offer


def _accept_refusal(void: Void, application: Application, offer: Offer) -> str | None:
    """Why this offer cannot be accepted now (rows already locked), or None."""
    if offer.status == Offer.Status.ACCEPTED:
        return "This offer has already been accepted."
    if offer.status != Offer.Status.OFFERED:
        return f"This offer can no longer be accepted: it is {_status(offer)}."
    if void.status == Void.Status.LET:
        return "This home has already been let."
    if Offer.objects.filter(void=void, status__in=TAKEN).exclude(pk=offer.pk).exists():
        return "This home has already been accepted by someone else."
    if Offer.objects.filter(application=application, status__in=TAKEN).exclude(pk=offer.pk).exists():
        return f"{applicant_name(application)} has already accepted another home."
    return None


def offer_refuse(*, offer: Offer, by: User, reason: str) -> Offer | None:
    """Record a refusal with its reason. A shortlist home goes straight to the next person in line (the new
    offer is returned); a refused direct offer releases the hold and the home is ready to let again."""
    _require_offer_actor(by, offer.application, "record a refusal")
    if not reason.strip():
        raise CaseActionRefused("Enter why the offer was refused.")
    with transaction.atomic():
        void, application, locked = _offer_locks(offer)
        if locked.status not in (Offer.Status.OFFERED, Offer.Status.ACCEPTED):
            raise CaseActionRefused(f"This offer can no longer be refused: it is {_status(locked)}.")
        _close_offer(locked, void, application, by, Offer.Status.REFUSED, reason)
        # Made automatically, recorded as made by whoever recorded the refusal.
        next_offer = _offer_to_next(void, by) if locked.kind == Offer.Kind.SHORTLIST else None
    _refresh(offer)
    return next_offer


def offer_withdraw(*, offer: Offer, by: User, reason: str) -> Offer:
    """The landlord takes an offer back (e.g. the home failed its final check). Nobody is offered it
    automatically: a shortlist home goes back to advertised, a held home back to ready."""
    _require_offer_actor(by, offer.application, "withdraw an offer")
    if not reason.strip():
        raise CaseActionRefused("Enter why the offer is withdrawn.")
    with transaction.atomic():
        void, application, locked = _offer_locks(offer)
        if locked.status not in (Offer.Status.OFFERED, Offer.Status.ACCEPTED):
            raise CaseActionRefused(f"This offer can no longer be withdrawn: it is {_status(locked)}.")
        _close_offer(locked, void, application, by, Offer.Status.WITHDRAWN, reason)
    _refresh(offer)
    return offer


def _close_offer(
    offer: Offer, void: Void, application: Application, by: User, status: str, reason: str
) -> None:
    offer.status = status
    offer.decided_at = timezone.now()
    offer.refusal_reason = reason.strip()
    offer.save(update_fields=["status", "decided_at", "refusal_reason"])
    if offer.kind == Offer.Kind.DIRECT:
        for hold in Hold.objects.select_for_update().filter(void=void, status__in=LIVE_HOLD):
            _release_locked(hold, void, by, f"Direct offer {offer.get_status_display().lower()}")
        void.status = Void.Status.READY
    else:
        void.status = Void.Status.ADVERTISED
    void.save(update_fields=["status"])
    label = "refused" if status == Offer.Status.REFUSED else "withdrawn"
    _case_to(application, Stage.APPLICATION_LIVE, by, timezone.localdate(),
             note=f"Offer of {void.property} {label}: {reason.strip()}", payload={"offer": offer.pk})


def offer_sign_up(*, offer: Offer, by: User, tenancy_start: date) -> Offer:
    """The tenancy is signed: the home is let from the start date, the person housed, the case moved to
    'tenancy started' on that date — which stops the rehousing clock (referral to tenancy start is read from
    the case's events)."""
    _require_offer_actor(by, offer.application, "record a sign-up")
    if tenancy_start > timezone.localdate():
        raise CaseActionRefused("The tenancy start date cannot be in the future.")
    try:
        with transaction.atomic():
            void, application, locked = _offer_locks(offer)
            if locked.status != Offer.Status.ACCEPTED:
                raise CaseActionRefused("Only an accepted offer can be signed up.")
            offered_on = timezone.localtime(locked.made_at).date()
            if tenancy_start < offered_on:
                raise CaseActionRefused(
                    f"The tenancy cannot start before the offer was made ({offered_on.day} {offered_on:%B %Y})."
                )
            if void.status == Void.Status.LET:
                raise CaseActionRefused("This home has already been let.")
            locked.status = Offer.Status.SIGNED_UP
            locked.tenancy_start = tenancy_start
            locked.save(update_fields=["status", "tenancy_start"])
            void.status = Void.Status.LET
            void.let_on = tenancy_start
            void.save(update_fields=["status", "let_on"])
            application.status = Application.Status.HOUSED
            application.save(update_fields=["status"])
            # Housed: their bids on other homes no longer count on those shortlists.
            other_bids = Bid.objects.filter(application=application, withdrawn=False).exclude(void=void)
            other_bids.update(withdrawn=True)
            _case_to(application, Stage.TENANCY_START, by, tenancy_start, note=f"Tenancy at {void.property}",
                     payload={"offer": locked.pk, "void": void.pk})
    except IntegrityError:
        raise CaseActionRefused("This home has already been let.") from None
    _refresh(offer)
    return offer

