"""Sent when something an incident's due moments depend on changes outside its own events: an
organisation's rules of which bodies are told, or a register entry's "tell them within" hours.
The deadlines app (a floor above) listens and works the open incidents beneath out again."""

from django.dispatch import Signal

# sender: the changed model class; kwargs: organisation (the rules or the entry's organisation).
due_facts_changed = Signal()
