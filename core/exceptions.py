class StepRefused(Exception):
    """A workflow step that may not happen now, with the reason in plain words.

    Raised by model methods (`incident.triage(...)`, `incident.close(...)`); the UI shows
    the message as a form error, the API answers HTTP 409 with it.
    """


class StorageFull(Exception):
    """The file store has no room left (a full disk or quota).

    Pages that take files show their form again, with what was typed, and answer 503 with
    "try again later"; anywhere else `core.middleware.StorageFullMiddleware` answers with
    the same 503 page. Nothing half-written is kept.
    """
