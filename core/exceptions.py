class StepRefused(Exception):
    """A workflow step that may not happen now, with the reason in plain words.

    Raised by model methods (`incident.triage(...)`, `incident.close(...)`); the UI shows
    the message as a form error, the API answers HTTP 409 with it.
    """
