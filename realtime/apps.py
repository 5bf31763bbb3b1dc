from django.apps import AppConfig


class RealtimeConfig(AppConfig):
    name = "realtime"
    verbose_name = "Realtime"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_out

        from common.signals import user_access_revoked

        from .sockets import on_user_access_revoked, on_user_logged_out

        user_logged_out.connect(on_user_logged_out, dispatch_uid="realtime.logout_closes_sockets")
        user_access_revoked.connect(
            on_user_access_revoked, dispatch_uid="realtime.revoked_access_closes_sockets"
        )
