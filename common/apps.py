from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "common"
    verbose_name = "Common"

    def ready(self) -> None:
        from . import lookups, schema  # noqa: F401 - schema registers the OpenAPI extensions
        from .admin import refuse_what_the_admin_cannot_use

        lookups.register()
        refuse_what_the_admin_cannot_use()
