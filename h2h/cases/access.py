from django.http import Http404

from h2h.audit.models import AuditEvent
from h2h.audit.services import audit_record
from h2h.cases.models import Case
from h2h.cases.selectors import case_queryset_for_user


def get_case_for_user(request, case_id: int, *, audit_view: bool = False) -> Case:
    """The case if this user's service holds it; "not found" otherwise, so nobody learns that it exists.

    audit_view records that the person's record was shown (GET pages); changes are audited by the view that
    makes them.
    """
    try:
        case = case_queryset_for_user(request.user).select_related("person", "referral", "assigned_to").get(pk=case_id)
    except Case.DoesNotExist:
        # A refused look at a case is part of the trail too (probing other services' ids shows up in it). The
        # row names the id asked for, never whose case it is: the answer stays "not found".
        audit_record(request, AuditEvent.Action.DENIED, object_type="case", object_id=case_id,
                     summary="Case not shown: not held by this user's service, or no such case")
        raise Http404("No such case") from None
    if audit_view:
        audit_record(request, AuditEvent.Action.VIEW, object_type="case", object_id=case.pk,
                     person_id=case.person_id, summary=f"Case {case.reference} viewed")
    return case
