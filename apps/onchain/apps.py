from django.apps import AppConfig


class OnchainConfig(AppConfig):
    name = "apps.onchain"
    verbose_name = "On-chain"

    def ready(self):
        # Imported here, not at the top: models and what uses them load only once the app registry is ready.
        from prometheus_client import REGISTRY

        from .metrics import IndexerCollector

        if not getattr(REGISTRY, "_agora_indexer_registered", False):
            REGISTRY.register(IndexerCollector())
            REGISTRY._agora_indexer_registered = True
