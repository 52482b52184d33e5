"""The incident pages: the list and detail (`incident`) and each lifecycle step (`steps`)."""
