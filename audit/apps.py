from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"

    def ready(self) -> None:
        from django.core.signals import request_finished, request_started

        from . import sealing

        # Unwrapped data keys live no longer than a request (and leave at once when destroyed).
        request_started.connect(sealing.clear_cache, dispatch_uid="sealing-clear-start")
        request_finished.connect(sealing.clear_cache, dispatch_uid="sealing-clear-end")
