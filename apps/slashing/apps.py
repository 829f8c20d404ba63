from django.apps import AppConfig


class SlashingConfig(AppConfig):
    name = "apps.slashing"
    verbose_name = "Slashing"

    def ready(self):
        # Imported here, not at the top: models and what uses them load only once the app registry is ready.
        from prometheus_client import REGISTRY

        from apps.onchain.signals import slashes_indexed, slashes_rolling_back

        from . import checks  # noqa: F401  (registers the startup checks)
        from .metrics import SlashingCollector
        from .receivers import on_slashes_indexed, on_slashes_rolling_back

        slashes_indexed.connect(on_slashes_indexed, dispatch_uid="slashing.link")
        slashes_rolling_back.connect(on_slashes_rolling_back, dispatch_uid="slashing.unlink")
        if not getattr(REGISTRY, "_agora_slashing_registered", False):
            REGISTRY.register(SlashingCollector())
            REGISTRY._agora_slashing_registered = True
