from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "directory"
    verbose_name = "Directory"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from .search_sqlite import register_sqlite_functions

        connection_created.connect(register_sqlite_functions, dispatch_uid="directory.sqlite_fns")
