"""Entity type A: the VIKTOR layer of the app (fields, views, buttons)."""
