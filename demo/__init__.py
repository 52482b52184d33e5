"""The demo organisations, people and incidents that `make run` loads into an empty database.

Fictional throughout. Top floor of the house: it drives every app through its own steps, so
the demo incidents are reached exactly as real ones are. `load` is the entry point.
"""
