from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _after_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    from . import statistics

    if using == "default":
        statistics.refresh()


class CoreConfig(AppConfig):
    name = "core"

    def ready(self) -> None:
        post_migrate.connect(_after_migrate, sender=self, dispatch_uid="core.statistics")
