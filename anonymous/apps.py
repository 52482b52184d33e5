from django.apps import AppConfig


class AnonymousConfig(AppConfig):
    name = "anonymous"
    verbose_name = "Anonymous and confidential reporting"
