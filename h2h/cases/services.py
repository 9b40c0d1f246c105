"""Every change to a case happens here, inside a transaction with the case row locked.

Views call these functions and never save a Case themselves.
"""

from datetime import date

from django.apps import apps
from django.db import transaction
from django.utils import timezone

from h2h.accounts.models import User
from h2h.accounts.roles import Role
from h2h.area.config import get_area
from h2h.cases.models import Case, CaseEvent, CaseNote
from h2h.cases.stages import CLOSING_REASONS_FROM, ClosingReason, Stage, move_allowed
from h2h.notifications.models import Notification
from h2h.notifications.services import notify_referrers


class CaseActionRefused(Exception):
    """A change the rules do not allow; the message is shown to the user as it is."""


def _locked(case: Case) -> Case:
    return Case.objects.select_for_update().get(pk=case.pk)


def case_move(
    *, case: Case, to_stage: str, by: User, on: date, note: str = "", closing_reason: str = "", payload=None
) -> Case:
    """Move a case to another stage if the transition table allows it for this user's role."""
    with transaction.atomic():
        locked = _locked(case)
        same_service = by.organisation_id == locked.service_id
        if not (by.is_active and same_service and move_allowed(locked.stage, to_stage, by.role)):
            raise CaseActionRefused(
                f"A {Role(by.role).label if by.role else 'user'} cannot move a case from "
                f"'{Stage(locked.stage).label}' to '{Stage(to_stage).label}'."
            )
        if on > timezone.localdate():
            raise CaseActionRefused("The date cannot be in the future.")
        if on < locked.stage_changed_on:
            raise CaseActionRefused(
                f"The date cannot be before the previous stage ({locked.stage_changed_on:%d %m %Y})."
            )
        if to_stage == Stage.CLOSED:
            if closing_reason not in CLOSING_REASONS_FROM[Stage(locked.stage)]:
                allowed = ", ".join(sorted(r.label for r in CLOSING_REASONS_FROM[Stage(locked.stage)]))
                raise CaseActionRefused(f"Choose why the case is closing: one of {allowed}.")
        elif closing_reason:
            raise CaseActionRefused("A closing reason is only given when the case is closed.")
        CaseEvent.objects.create(
            case=locked,
            kind=CaseEvent.Kind.STAGE,
            from_stage=locked.stage,
            to_stage=to_stage,
            on=on,
            by=by,
            note=note,
            payload=payload or {},
        )
        # Imported here: h2h.support builds on the cases app (its services call case_move).
        from h2h.support.services import support_stage_reached

        support_stage_reached(case=locked, stage=to_stage, on=on, by=by)
        if to_stage == Stage.TENANCY_START:
            # Queued in this transaction, sent after it commits (h2h.notifications).
            notify_referrers(case=locked, kind=Notification.Kind.REHOUSED, on=on)
        if to_stage == Stage.CLOSED:
            # A closed case's application leaves the register; a housed one stays as the record of the let.
            application_model = apps.get_model("lettings", "Application")
            application_model.objects.filter(case=locked).exclude(status__in=["housed", "cancelled"]).update(
                status="cancelled"
            )
        locked.stage = to_stage
        locked.stage_changed_on = on
        locked.closing_reason = closing_reason if to_stage == Stage.CLOSED else ""
        locked.save(update_fields=["stage", "stage_changed_on", "closing_reason", "updated_at"])
    case.refresh_from_db()
    return case


def case_screen_accept(*, case: Case, by: User, cohort: str, results: list, on: date, note: str = "") -> Case:
    """Accept the referral into a cohort: records the decision and moves the case to 'screened'."""
    if get_area().cohort(cohort) is None:
        raise CaseActionRefused(f"There is no cohort '{cohort}' in this area's configuration.")
    with transaction.atomic():
        case_move(case=case, to_stage=Stage.SCREENED, by=by, on=on, note=note, payload={"cohort": cohort})
        Case.objects.filter(pk=case.pk).update(
            cohort=cohort, decision=Case.Decision.ACCEPTED, decision_reason=note, screening_results=results
        )
        notify_referrers(case=case, kind=Notification.Kind.ACCEPTED, on=on)
    case.refresh_from_db()
    return case


def case_screen_decline(
    *, case: Case, by: User, reason: str, onward_referral: str, results: list, on: date
) -> Case:
    """Decline the referral: the case closes as not eligible, with the advice or onward referral recorded."""
    with transaction.atomic():
        case_move(
            case=case,
            to_stage=Stage.CLOSED,
            by=by,
            on=on,
            note=reason,
            closing_reason=ClosingReason.NOT_ELIGIBLE,
            payload={"onward_referral": onward_referral},
        )
        Case.objects.filter(pk=case.pk).update(
            decision=Case.Decision.DECLINED,
            decision_reason=reason,
            onward_referral=onward_referral,
            screening_results=results,
        )
        notify_referrers(case=case, kind=Notification.Kind.DECLINED, on=on)
    case.refresh_from_db()
    return case


def case_assign(*, case: Case, to_user: User, by: User, note: str = "") -> Case:
    """Give the case to an HHC. Moving it from one HHC to another is a handover and needs a note."""
    if not (to_user.is_active and to_user.role == Role.HHC and to_user.organisation_id == case.service_id):
        raise CaseActionRefused("Cases can only be assigned to an active coordinator in this service.")
    allowed = by.is_active and by.organisation_id == case.service_id and by.role in {Role.PROJECT_MANAGER, Role.HHC}
    if not allowed:
        raise CaseActionRefused("Only a project manager or a coordinator in this service can assign cases.")
    with transaction.atomic():
        locked = _locked(case)
        if locked.assigned_to_id == to_user.pk:
            raise CaseActionRefused(f"The case is already assigned to {to_user.display_name}.")
        # An HHC may hand over their own cases or pick up unassigned ones, not take a colleague's.
        if by.role == Role.HHC and locked.assigned_to_id not in {None, by.pk}:
            raise CaseActionRefused("Ask a project manager to move a colleague's case.")
        handover = locked.assigned_to_id is not None
        if handover and not note.strip():
            raise CaseActionRefused("Write a handover note for the new coordinator.")
        CaseEvent.objects.create(
            case=locked,
            kind=CaseEvent.Kind.HANDOVER if handover else CaseEvent.Kind.ASSIGNED,
            on=timezone.localdate(),
            by=by,
            note=note,
            payload={"from_user": locked.assigned_to_id, "to_user": to_user.pk},
        )
        locked.assigned_to = to_user
        locked.save(update_fields=["assigned_to", "updated_at"])
    case.refresh_from_db()
    return case


def case_note_add(*, case: Case, by: User, text: str) -> CaseNote:
    if not text.strip():
        raise CaseActionRefused("Write the note before saving it.")
    return CaseNote.objects.create(case=case, by=by, text=text.strip())
