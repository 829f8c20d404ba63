from django.apps import AppConfig


class OnchainConfig(AppConfig):
    name = "apps.onchain"
    verbose_name = "On-chain"
