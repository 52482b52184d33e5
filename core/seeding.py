"""Built-in rows (incident types, the policy checklist) that must always exist.

Data migrations add them once; `flush` (which the test suite's transactional tests run)
empties every table and then sends post_migrate. Re-running the seed from post_migrate
puts back what is missing; the seeds use get_or_create, so nothing is added twice.
"""

from collections.abc import Callable
from importlib import import_module
from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def reseed_after_migrate(app_config: AppConfig, module: str, function: str) -> None:
    """Run `module.function(apps, None)` after every migrate or flush of `app_config`."""

    def seed(sender: AppConfig, apps: Any = None, **kwargs: Any) -> None:
        if apps is None:  # `flush` sends the signal without the migration state
            from django.apps import apps as registry

            apps = registry
        seed_function: Callable[[Any, Any], None] = getattr(import_module(module), function)
        try:
            seed_function(apps, None)
        except LookupError:  # migrated backwards past the model
            return

    post_migrate.connect(seed, sender=app_config, weak=False, dispatch_uid=f"{module}.{function}")
