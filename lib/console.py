"""A quiet, readable console for `make run`: emails as a reader sees them, one line per task.

- `EmailBackend`: the development mail backend. Django's console backend prints the whole
  MIME message (headers, the HTML part, quoted-printable soft breaks); this one prints who it
  is to, the subject and the plain text, between two rules, so the emails the README promises
  can be read in the terminal.
- `OneLinePerTask`: a logging filter for "django.tasks" that drops the "started" line, keeping
  the one that says how the task ended (with its traceback if it failed).
"""

import logging

from django.core.mail.backends import console
from django.core.mail.message import EmailMessage

RULE = "─" * 72


class EmailBackend(console.EmailBackend):
    """Prints each email's recipients, subject and plain-text body (Django's console backend, readable)."""

    def write_message(self, message: EmailMessage) -> None:
        body = message.body if isinstance(message.body, str) else str(message.body)
        self.stream.write(f"{RULE}\nEmail to {', '.join(message.to)}\nSubject: {message.subject}\n\n")
        self.stream.write(f"{body.rstrip()}\n{RULE}\n")


class OneLinePerTask(logging.Filter):
    """Keep one line per background task: how it ended (the "started" line says nothing new)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args if isinstance(record.args, tuple) else ()
        return not (len(args) == 3 and str(args[2]) == "RUNNING" and record.msg.startswith("Task id="))
