from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "directory"
    verbose_name = "Directory"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in
        from django.db.backends.signals import connection_created
        from django.db.models.signals import pre_delete

        from realtime.services.context import message_context_validator_register

        from . import receivers, signals  # noqa: F401 - receivers connect on import
        from .models import User
        from .search.sqlite import register_sqlite_functions
        from .services.message_context import message_context_validate

        user_logged_in.connect(signals.record_login_session, dispatch_uid="directory.sessions")
        pre_delete.connect(
            signals.end_sessions_of_deleted_user, sender=User, dispatch_uid="directory.sessions"
        )
        # Embedded mode: SQLite functions the search index triggers and queries use.
        connection_created.connect(register_sqlite_functions, dispatch_uid="directory.sqlite_fns")
        # Realtime knows no studio: a message's context is checked by this app's rule.
        message_context_validator_register(message_context_validate)
