from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Users and profiles"  # allauth's app is "Accounts" (email addresses)

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import pre_delete

        from . import receivers, signals  # noqa: F401 - receivers connect on import
        from .models import User

        _allauth_phone_view_answers_every_method()
        _allauth_reset_key_without_a_user_part_is_invalid()
        user_logged_in.connect(signals.record_login_session, dispatch_uid="accounts.sessions")
        pre_delete.connect(
            signals.end_sessions_of_deleted_user, sender=User, dispatch_uid="accounts.sessions"
        )


def _allauth_phone_view_answers_every_method() -> None:
    """allauth's headless ManagePhoneView reads `self.user` whatever the method, but sets
    it for an anonymous request on GET and POST only, and then rate-limits per user: an
    anonymous OPTIONS, PUT, TRACE or any other method there was a 500. Such a request gets
    the 401 allauth answers an anonymous GET with (tests/test_authz_matrix.py)."""
    from allauth.headless.account.views import ManagePhoneView
    from allauth.headless.base.response import AuthenticationResponse

    allauth_dispatch = ManagePhoneView.dispatch

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated or request.method in ("GET", "POST"):
            return allauth_dispatch(self, request, *args, **kwargs)
        return AuthenticationResponse(request)

    ManagePhoneView.dispatch = dispatch


def _allauth_reset_key_without_a_user_part_is_invalid() -> None:
    """A headless password-reset key is `<user id in base 36>-<token>`; allauth reads one
    with nothing before the dash (`-abc`) as no user id at all, base36_to_int(None), a 500.
    It is an invalid key (400 `invalid_password_reset`), as any other wrong key."""
    from allauth.account.forms import UserTokenForm

    allauth_get_user = UserTokenForm._get_user

    def _get_user(self, uidb36):
        return allauth_get_user(self, uidb36) if uidb36 else None

    UserTokenForm._get_user = _get_user
