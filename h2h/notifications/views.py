from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from h2h.accounts.roles import Role
from h2h.notifications.models import Notification
from h2h.notifications.services import MAX_ATTEMPTS


@login_required
def notification_list(request):
    """Emails to referrers that failed or are still waiting: for project managers (their service's referrals)
    and administrators (all; they see references and referrers' addresses, never a person)."""
    user = request.user
    if user.role == Role.PROJECT_MANAGER:
        notifications = Notification.objects.filter(referral__service_id=user.organisation_id)
    elif user.role == Role.ADMINISTRATOR:
        notifications = Notification.objects.all()
    else:
        raise Http404
    notifications = notifications.select_related("referral")
    queued = notifications.filter(status=Notification.Status.QUEUED).order_by("next_attempt_at")
    context = {
        "failed": list(notifications.filter(status=Notification.Status.FAILED)[:200]),
        "waiting": list(queued[:200]),
        "sent_week": notifications.filter(
            status=Notification.Status.SENT, sent_at__gte=timezone.now() - timedelta(days=7)
        ).count(),
        "max_attempts": MAX_ATTEMPTS,
        "can_open_referral": user.role == Role.PROJECT_MANAGER,
    }
    return render(request, "notifications/list.html", context)
