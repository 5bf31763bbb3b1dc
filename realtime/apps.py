from django.apps import AppConfig


class RealtimeConfig(AppConfig):
    name = "realtime"
    verbose_name = "Realtime"

    def ready(self) -> None:
        from django.conf import settings
        from django.contrib.auth.signals import user_logged_out
        from django.contrib.sessions.models import Session
        from django.db.models.signals import post_delete, post_save

        from common.signals import user_access_revoked

        from .signals import on_user_created
        from .sockets import (
            on_session_deleted,
            on_user_access_revoked,
            on_user_logged_out,
            on_user_saved,
        )

        # A socket lives no longer than its session: realtime/sockets.py says how.
        user_logged_out.connect(on_user_logged_out, dispatch_uid="realtime.logout_closes_sockets")
        post_delete.connect(
            on_session_deleted, sender=Session, dispatch_uid="realtime.session_end_closes_sockets"
        )
        post_save.connect(
            on_user_saved,
            sender=settings.AUTH_USER_MODEL,
            dispatch_uid="realtime.password_change_checks_sockets",
        )
        post_save.connect(
            on_user_created,
            sender=settings.AUTH_USER_MODEL,
            dispatch_uid="realtime.user_created_gets_a_stream",
        )
        user_access_revoked.connect(
            on_user_access_revoked, dispatch_uid="realtime.revoked_access_closes_sockets"
        )
