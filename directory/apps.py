from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "directory"
    verbose_name = "Directory"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from accounts.services.accounts import account_delete_check_register
        from realtime.services.context import message_context_validator_register

        from .search.sqlite import register_sqlite_functions
        from .services.message_context import message_context_validate
        from .services.studios import owner_may_delete_account

        # Embedded mode: SQLite functions the search index triggers and queries use.
        connection_created.connect(register_sqlite_functions, dispatch_uid="directory.sqlite_fns")
        # Realtime knows no studio: a message's context is checked by this app's rule.
        message_context_validator_register(message_context_validate)
        # Accounts know no studio: an owner keeps their account until their studios go.
        account_delete_check_register(owner_may_delete_account)
