from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Users and profiles"  # allauth's app is "Accounts" (email addresses)

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import pre_delete

        from . import receivers, signals  # noqa: F401 - receivers connect on import
        from .models import User

        user_logged_in.connect(signals.record_login_session, dispatch_uid="accounts.sessions")
        pre_delete.connect(
            signals.end_sessions_of_deleted_user, sender=User, dispatch_uid="accounts.sessions"
        )
