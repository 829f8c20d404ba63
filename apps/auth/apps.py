from django.apps import AppConfig


class AgoraAuthConfig(AppConfig):
    name = "apps.auth"
    label = "agora_auth"
    verbose_name = "Wallet auth"

    def ready(self):
        from . import schema  # noqa: F401  registers the bearer scheme with drf-spectacular
