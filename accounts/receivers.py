"""Signal receivers of the accounts app (connected in AccountsConfig.ready)."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .services.accounts import user_email_verified_sync


@receiver(post_save, sender=EmailAddress, dispatch_uid="accounts.email_verified_on_save")
@receiver(post_delete, sender=EmailAddress, dispatch_uid="accounts.email_verified_on_delete")
def _mirror_email_verified(sender, instance: EmailAddress, **kwargs) -> None:
    """allauth's EmailAddress rows are the truth; users.email_verified mirrors them."""
    user = instance._state.fields_cache.get("user")  # the instance allauth may save next
    user_email_verified_sync(user_id=instance.user_id, instance=user)
