from h2h.audit.models import AuditEvent


def audit_record(request, action: str, *, object_type: str, object_id="", person_id=None, summary="") -> AuditEvent:
    """Record one access to or change of personal data, by the user making the request."""
    user = getattr(request, "user", None)
    authenticated = user is not None and user.is_authenticated
    return AuditEvent.objects.create(
        user=user if authenticated else None,
        username=user.username if authenticated else "anonymous",
        role=getattr(user, "role", "") if authenticated else "",
        action=action,
        object_type=object_type,
        object_id=str(object_id or ""),
        person_id=person_id,
        summary=summary[:300],
        ip_address=request.META.get("REMOTE_ADDR") or None,
        path=request.path[:300],
    )
