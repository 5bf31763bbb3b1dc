from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "common"
    verbose_name = "Common"

    def ready(self) -> None:
        from . import schema  # noqa: F401 - registers the OpenAPI authentication extensions
        from .admin import refuse_what_the_admin_cannot_use

        refuse_what_the_admin_cannot_use()
