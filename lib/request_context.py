"""The current request's id, for the event record, without passing requests around."""

from contextvars import ContextVar

request_id: ContextVar[str] = ContextVar("request_id", default="")
