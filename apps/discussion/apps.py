from django.apps import AppConfig


class DiscussionConfig(AppConfig):
    name = "apps.discussion"
    verbose_name = "Discussion"
