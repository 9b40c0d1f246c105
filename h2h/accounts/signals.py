import time

from django.contrib.auth.signals import user_logged_in
from django.contrib.sessions.models import Session
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.utils import timezone

from h2h.lib.middleware import SIGNED_IN_AT


@receiver(user_logged_in)
def start_session_clock(sender, request, user, **kwargs):
    """The absolute session lifetime counts from here (h2h.lib.middleware.AbsoluteSessionLifetimeMiddleware)."""
    if request is not None and hasattr(request, "session"):
        request.session[SIGNED_IN_AT] = int(time.time())


@receiver(pre_save, sender="accounts.User")
def end_sessions_of_deactivated_user(sender, instance, **kwargs):
    """Deactivating an account deletes its sessions at once. Access would be refused anyway (the
    authentication middleware re-reads is_active on each request); this leaves nothing behind to reuse."""
    if instance.pk is None or instance.is_active:
        return
    was_active = sender.objects.filter(pk=instance.pk, is_active=True).exists()
    if not was_active:
        return
    # Sessions are not indexed by user: read the live ones (deactivation is rare, sessions few).
    user_id = str(instance.pk)
    stale = [s.pk for s in Session.objects.filter(expire_date__gt=timezone.now())
             if s.get_decoded().get("_auth_user_id") == user_id]
    Session.objects.filter(pk__in=stale).delete()
