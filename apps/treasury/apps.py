from django.apps import AppConfig


class TreasuryConfig(AppConfig):
    name = "apps.treasury"
