"""One module per kind of thing the API serves; each `router` is added in api/v1.py."""
