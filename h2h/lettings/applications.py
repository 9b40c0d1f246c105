"""The fast-track application: the HHC's form, the housing manager's same-day sign-off, and the fortnightly
panel's review after the fact.

Statuses (Application.Status): DRAFT → SUBMITTED → LIVE, or SUBMITTED → RETURNED (with reasons) →
SUBMITTED again. Sign-off makes the case's stage APPLICATION_LIVE through case_move, in the same transaction.

Who may do what (all within the organisation that runs the case's service; everyone else gets "not found"):
  HHC or project manager (cover)          start and change an application, send it for sign-off
  HHC, project manager or admin officer   add medical evidence files
  housing manager, never the sender       approve or return it
  housing manager or project manager      record the panel's review
  any service staff                       see the application and download its evidence

Each change also writes a CaseEvent of kind "application" (payload: application id, status, title), so the
case keeps the whole history (every return and resubmission), not only the latest values on the row.
"""

import statistics
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from h2h.accounts.models import User
from h2h.accounts.roles import Role
from h2h.area import valuesets
from h2h.area.config import Band, get_area
from h2h.area.eligibility import check_alternative
from h2h.audit.models import AuditEvent
from h2h.audit.services import audit_record
from h2h.cases.models import Case, CaseEvent
from h2h.cases.selectors import add_months, case_queryset_for_user
from h2h.cases.services import CaseActionRefused, case_move
from h2h.cases.stages import Stage
from h2h.lettings.models import Application, EvidenceFile, Property
from h2h.referrals.services import referral_facts

EDITORS = frozenset({Role.HHC, Role.PROJECT_MANAGER})
EVIDENCE_ADDERS = EDITORS | {Role.ADMIN_OFFICER}
SIGNERS = frozenset({Role.HOUSING_MANAGER})
PANEL_RECORDERS = frozenset({Role.HOUSING_MANAGER, Role.PROJECT_MANAGER})
CHANGEABLE = frozenset({Application.Status.DRAFT, Application.Status.RETURNED})
APPROVED = frozenset({Application.Status.LIVE, Application.Status.HOUSED})
APPLICATION_EVENT = "application"

# The answers an HHC gives; everything else on the row is worked out here.
ANSWER_FIELDS = (
    "household_size",
    "bedrooms_needed",
    "needs_step_free",
    "needs_wheelchair_standard",
    "needs_level_access_shower",
    "needs_features",
    "preferred_areas",
    "preferred_types",
    "medical_evidence",
)

# Extension → (the bytes such a file starts with, the content type it is served as).
EVIDENCE_TYPES = {
    ".pdf": (b"%PDF-", "application/pdf"),
    ".jpg": (b"\xff\xd8\xff", "image/jpeg"),
    ".jpeg": (b"\xff\xd8\xff", "image/jpeg"),
    ".png": (b"\x89PNG\r\n\x1a\n", "image/png"),
}


# ------------------------------------------------------------------------------------------- band and dates


@dataclass(frozen=True)
class BandDecision:
    band: Band
    why: str  # the referral's facts that met the band's rule, in a coordinator's words


def band_for_case(case: Case) -> BandDecision:
    """The first band, in the area file's order, with an alternative the referral meets; else the default."""
    area = get_area()
    facts = referral_facts(case.referral)
    for band in area.bands:
        for alternative in band.alternatives:
            checks = check_alternative(alternative, facts, area.reasons)
            if all(ok for ok, _ in checks):
                return BandDecision(band, "; ".join(why for _, why in checks))
    default = next(b for b in area.bands if b.default)
    return BandDecision(default, "none of the higher bands' rules applies")


def effective_date_for(application_date: date) -> date:
    """The application accelerator: the effective date is set this many months before the application date."""
    return add_months(application_date, -get_area().lettings.accelerator_months)


# ------------------------------------------------------------------------------------------------ access


def get_application_for_user(request, application_id: int, *, audit_view: bool = False) -> Application:
    """An H2H case's application if the user works in the service holding the case; "not found" otherwise.

    Seeing an application is seeing the person's record, so audit_view records it against the person.
    """
    cases = case_queryset_for_user(request.user)
    try:
        application = Application.objects.select_related(
            "case", "case__person", "case__referral", "case__referral__person", "submitted_by", "decided_by",
            "panel_reviewed_by",
        ).get(pk=application_id, case__in=cases)
    except Application.DoesNotExist:
        raise Http404("No such application") from None
    if audit_view:
        audit_record(request, AuditEvent.Action.VIEW, object_type="application", object_id=application.pk,
                     person_id=application.case.person_id,
                     summary=f"Application {application.reference} viewed")
    return application


def _refuse_unless(user: User, case: Case, roles: frozenset, doing: str) -> None:
    if not (user.is_active and user.organisation_id == case.service_id and user.role in roles):
        who = " or ".join(sorted(Role(r).label.lower() for r in roles))
        article = "an" if who[0] in "aeiou" else "a"
        raise CaseActionRefused(f"Only {article} {who} in this service can {doing}.")


def _history(application: Application, *, by: User, title: str, note: str = "") -> None:
    CaseEvent.objects.create(
        case_id=application.case_id, kind=APPLICATION_EVENT, on=timezone.localdate(), by=by, note=note,
        payload={"application": application.pk, "status": application.status, "title": title},
    )


def application_history(application: Application) -> list[CaseEvent]:
    events = CaseEvent.objects.filter(case_id=application.case_id, kind=APPLICATION_EVENT,
                                      payload__application=application.pk)
    return list(events.select_related("by").order_by("at", "id"))


# -------------------------------------------------------------------------------------------- the HHC's form


def _answers(data: dict) -> dict:
    """The answers given, checked; answers not given are left as they are."""
    unknown = set(data) - set(ANSWER_FIELDS)
    if unknown:
        raise ValueError(f"Not application answers: {sorted(unknown)}")
    answers = {key: data[key] for key in ANSWER_FIELDS if key in data}
    if answers.get("household_size", 1) < 1:
        raise CaseActionRefused("The household must have at least one person.")
    if answers.get("bedrooms_needed", 1) < 0:
        raise CaseActionRefused("The number of bedrooms cannot be negative.")
    unknown_types = set(answers.get("preferred_types", [])) - set(valuesets.PropertyType.values)
    if unknown_types:
        raise CaseActionRefused(f"Unknown property types: {', '.join(sorted(unknown_types))}.")
    if "medical_evidence" in answers:
        answers["medical_evidence"] = answers["medical_evidence"].strip()
    return answers


def application_create(*, case: Case, by: User, data: dict) -> Application:
    """Start the case's fast-track application as a draft: band from the referral, accelerated effective date.

    It may be started once the referral is accepted (the HHC often fills it in at the first visit, before the
    visit is recorded); it is sent for sign-off only once the first visit is recorded.
    """
    _refuse_unless(by, case, EDITORS, "start a fast-track application")
    if case.stage not in (Stage.SCREENED, Stage.FIRST_VISIT):
        raise CaseActionRefused(
            f"A fast-track application is made after screening and before sign-off; this case is at "
            f"'{Stage(case.stage).label}'."
        )
    answers = _answers(data)
    if "preferred_types" not in answers:
        cohort = get_area().cohort(case.cohort)
        answers["preferred_types"] = list(cohort.property_types) if cohort else []
    decision = band_for_case(case)
    today = timezone.localdate()
    person = case.person
    try:
        with transaction.atomic():
            application = Application.objects.create(
                case=case,
                reference=f"H2H-APP-{case.pk}",
                applicant_name=person.full_name,
                date_of_birth=person.date_of_birth,
                band=decision.band.code,
                application_date=today,
                effective_date=effective_date_for(today),
                status=Application.Status.DRAFT,
                **answers,
            )
            _history(application, by=by, title="Application started")
    except IntegrityError:
        raise CaseActionRefused("This case already has a fast-track application.") from None
    return application


def _locked(application: Application) -> Application:
    # No select_related: the case is on the nullable side of a join, which PostgreSQL cannot lock FOR UPDATE.
    return Application.objects.select_for_update().get(pk=application.pk)


def _refreshed(application: Application) -> Application:
    application.refresh_from_db()
    return application


def application_update(*, application: Application, by: User, data: dict) -> Application:
    """Change the answers of a draft or returned application; the band is worked out again."""
    with transaction.atomic():
        locked = _locked(application)
        _refuse_unless(by, locked.case, EDITORS, "change a fast-track application")
        if locked.status not in CHANGEABLE:
            raise CaseActionRefused(
                f"The application is {locked.get_status_display().lower()}: it can be changed only as a "
                "draft or once returned."
            )
        for key, value in _answers(data).items():
            setattr(locked, key, value)
        locked.band = band_for_case(locked.case).band.code
        locked.save()
    return _refreshed(application)


def application_submit(*, application: Application, by: User) -> Application:
    """Send the application to the housing manager's sign-off queue."""
    with transaction.atomic():
        locked = _locked(application)
        case = locked.case
        _refuse_unless(by, case, EDITORS, "send an application for sign-off")
        if locked.status not in CHANGEABLE:
            raise CaseActionRefused(f"The application is already {locked.get_status_display().lower()}.")
        if case.stage == Stage.SCREENED:
            raise CaseActionRefused(
                "Record the first visit on the case before sending the application for sign-off."
            )
        if case.stage != Stage.FIRST_VISIT:
            raise CaseActionRefused(
                f"The case is at '{Stage(case.stage).label}': it cannot be sent for sign-off."
            )
        if not locked.medical_evidence.strip():
            raise CaseActionRefused(
                "Add a summary of the medical evidence before sending the application for sign-off."
            )
        resubmitted = locked.status == Application.Status.RETURNED
        locked.status = Application.Status.SUBMITTED
        locked.submitted_at = timezone.now()
        locked.submitted_by = by
        # The decision fields describe the decision on this submission; earlier ones are in the history.
        locked.decided_at = None
        locked.decided_by = None
        locked.save()
        _history(locked, by=by, title="Sent again for sign-off" if resubmitted else "Sent for sign-off")
    return _refreshed(application)


# ----------------------------------------------------------------------------------------- the sign-off


def application_approve(*, application: Application, by: User) -> Application:
    """The housing manager's sign-off: the application goes live and the case moves to 'application live'.

    The row is locked so that two managers deciding at once cannot both act; the second is told who did.
    """
    with transaction.atomic():
        locked = _locked(application)
        case = locked.case
        _refuse_unless(by, case, SIGNERS, "approve a fast-track application")
        if locked.submitted_by_id == by.pk:
            raise CaseActionRefused(
                "You sent this application for sign-off, so another housing manager must approve it."
            )
        _refuse_unless_waiting(locked)
        if case.stage == Stage.SCREENED:
            raise CaseActionRefused(
                "The first visit is not recorded on the case yet: ask the coordinator to record it first."
            )
        if case.stage != Stage.FIRST_VISIT:
            raise CaseActionRefused(
                f"The case is at '{Stage(case.stage).label}': the application cannot go live."
            )
        locked.status = Application.Status.LIVE
        locked.decided_at = timezone.now()
        locked.decided_by = by
        locked.save()
        case_move(case=case, to_stage=Stage.APPLICATION_LIVE, by=by, on=timezone.localdate(),
                  note=f"Application {locked.reference} signed off")
        _history(locked, by=by, title="Approved: application live")
    return _refreshed(application)


def _refuse_unless_waiting(locked: Application) -> None:
    if locked.status == Application.Status.SUBMITTED:
        return
    if locked.status in APPROVED and locked.decided_by is not None:
        raise CaseActionRefused(f"{locked.decided_by.display_name} has already approved this application.")
    if locked.status == Application.Status.RETURNED and locked.decided_by is not None:
        raise CaseActionRefused(f"{locked.decided_by.display_name} has already returned this application.")
    raise CaseActionRefused(
        f"The application is {locked.get_status_display().lower()}, not waiting for sign-off."
    )


def application_return(*, application: Application, by: User, reason: str) -> Application:
    """Send the application back to the coordinator, with the reasons; it can be changed and sent again."""
    reason = reason.strip()
    with transaction.atomic():
        locked = _locked(application)
        _refuse_unless(by, locked.case, SIGNERS, "return a fast-track application")
        _refuse_unless_waiting(locked)
        if not reason:
            raise CaseActionRefused("Give the reasons for returning the application.")
        locked.status = Application.Status.RETURNED
        locked.returned_reason = reason
        locked.decided_at = timezone.now()
        locked.decided_by = by
        locked.save()
        _history(locked, by=by, title="Returned to the coordinator", note=reason)
    return _refreshed(application)


# ------------------------------------------------------------------------------------------------ the panel


def panel_review_record(*, application: Application, by: User, on: date, note: str = "") -> Application:
    """Record the fortnightly panel's review of an application already signed off."""
    with transaction.atomic():
        locked = _locked(application)
        _refuse_unless(by, locked.case, PANEL_RECORDERS, "record the panel's review")
        if locked.status not in APPROVED or locked.decided_at is None:
            raise CaseActionRefused("The panel reviews applications once they are signed off.")
        if locked.panel_reviewed_on is not None:
            raise CaseActionRefused(
                f"The panel already reviewed this application on {locked.panel_reviewed_on:%-d %B %Y}."
            )
        if on > timezone.localdate():
            raise CaseActionRefused("The date of the panel cannot be in the future.")
        signed_off = timezone.localdate(locked.decided_at)
        if on < signed_off:
            raise CaseActionRefused(
                f"The panel cannot review it before it was signed off ({signed_off:%-d %B %Y})."
            )
        locked.panel_reviewed_on = on
        locked.panel_reviewed_by = by
        locked.panel_note = note.strip()
        locked.save()
        _history(locked, by=by, title="Reviewed by the panel", note=locked.panel_note)
    return _refreshed(application)


def panel_queue(service_id: int) -> QuerySet[Application]:
    """Signed-off applications the panel has not reviewed yet, oldest sign-off first."""
    return (
        Application.objects.filter(case__service_id=service_id, status__in=APPROVED, decided_at__isnull=False,
                                   panel_reviewed_on__isnull=True)
        .select_related("case", "case__person", "decided_by")
        .order_by("decided_at", "id")
    )


# ------------------------------------------------------------------------------------- sign-off measures


def submission_to_live(application: Application) -> timedelta | None:
    """How long the approved submission waited for sign-off. Time lost to an earlier return is in the
    history, not in this figure."""
    if application.status not in APPROVED or not (application.submitted_at and application.decided_at):
        return None
    return application.decided_at - application.submitted_at


def median_submission_to_live(service_id: int | None = None) -> timedelta | None:
    approved = Application.objects.filter(case__isnull=False, status__in=APPROVED, submitted_at__isnull=False,
                                          decided_at__isnull=False)
    if service_id is not None:
        approved = approved.filter(case__service_id=service_id)
    waits = [decided - submitted for submitted, decided in approved.values_list("submitted_at", "decided_at")]
    return statistics.median(waits) if waits else None


@dataclass(frozen=True)
class QueueRow:
    application: Application
    waited: timedelta
    came_in_today: bool


def signoff_queue(service_id: int, now: datetime | None = None) -> list[QueueRow]:
    """Applications waiting for sign-off, the longest-waiting first."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    waiting = (
        Application.objects.filter(case__service_id=service_id, status=Application.Status.SUBMITTED)
        .select_related("case", "case__person", "submitted_by")
        .order_by("submitted_at", "id")
    )
    return [QueueRow(a, now - a.submitted_at, timezone.localdate(a.submitted_at) == today) for a in waiting]


def duration_words(span: timedelta | None) -> str:
    """A wait as a manager reads it: '3 hours 5 minutes', '2 days 4 hours'."""
    if span is None:
        return "–"
    minutes = max(int(span.total_seconds() // 60), 0)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = [(days, "day"), (hours, "hour")] if days else [(hours, "hour"), (minutes, "minute")]
    words = [f"{n} {unit}{'s' if n != 1 else ''}" for n, unit in parts if n]
    return " ".join(words) or "less than a minute"


# ------------------------------------------------------------------------------- what the form can offer


def stock_lettings_areas() -> list[str]:
    return list(Property.objects.exclude(lettings_area="").order_by("lettings_area")
                .values_list("lettings_area", flat=True).distinct())


def stock_features() -> list[str]:
    found = set()
    for features in Property.objects.exclude(features=[]).values_list("features", flat=True):
        found.update(features)
    return sorted(found)


# ---------------------------------------------------------------------------------------------- evidence


def _evidence_root_checked() -> None:
    """Evidence is special-category data: it must live where no static-file server reaches it."""
    root = getattr(settings, "MEDIA_ROOT", "")
    if not root:
        raise ImproperlyConfigured("Set MEDIA_ROOT (e.g. var/media) before evidence files can be uploaded.")
    root = Path(root).resolve()
    for static in [settings.STATIC_ROOT, *settings.STATICFILES_DIRS]:
        static = Path(static).resolve()
        if root == static or static in root.parents:
            raise ImproperlyConfigured("MEDIA_ROOT must not be inside a static-files folder.")


def evidence_max_bytes() -> int:
    return getattr(settings, "H2H_EVIDENCE_MAX_BYTES", 10 * 1024 * 1024)


def evidence_add(*, application: Application, by: User, uploaded_file) -> EvidenceFile:
    """Keep a PDF, JPEG or PNG of medical evidence. The extension and the file's first bytes must agree, and
    the stored name is generated: nothing the browser sent decides where the file goes or how it is served."""
    _evidence_root_checked()
    case = application.case
    _refuse_unless(by, case, EVIDENCE_ADDERS, "add evidence to an application")
    if application.status in (Application.Status.HOUSED, Application.Status.CANCELLED):
        raise CaseActionRefused(
            f"The application is {application.get_status_display().lower()}: no more evidence can be added."
        )
    original = Path(str(uploaded_file.name or "")).name
    extension = Path(original).suffix.lower()
    if extension not in EVIDENCE_TYPES:
        raise CaseActionRefused("The selected file must be a PDF, JPG or PNG.")
    limit = evidence_max_bytes()
    if uploaded_file.size == 0:
        raise CaseActionRefused("The selected file is empty.")
    if uploaded_file.size > limit:
        raise CaseActionRefused(f"The selected file must be smaller than {limit // (1024 * 1024)} MB.")
    magic, content_type = EVIDENCE_TYPES[extension]
    uploaded_file.seek(0)
    start = uploaded_file.read(len(magic))
    uploaded_file.seek(0)
    if start != magic:
        raise CaseActionRefused(f"The selected file is not a real {extension[1:].upper()} file.")
    evidence = EvidenceFile(
        application=application,
        original_name="".join(c for c in original if c.isprintable())[:200] or f"evidence{extension}",
        content_type=content_type,
        size=uploaded_file.size,
        uploaded_by=by,
    )
    evidence.file.save(f"{uuid.uuid4().hex}{extension}", uploaded_file, save=False)
    try:
        with transaction.atomic():
            evidence.save()
            _history(application, by=by, title="Evidence file added")
    except Exception:
        evidence.file.delete(save=False)
        raise
    return evidence


def evidence_download_name(evidence: EvidenceFile) -> str:
    """A header-safe name for the download: the application reference, the file's number and its type."""
    extension = Path(evidence.file.name).suffix.lower()
    return f"{evidence.application.reference}-evidence-{evidence.pk}{extension}"
