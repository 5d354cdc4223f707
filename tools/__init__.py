"""Development tools for this app. Run them from the repository root: python -m tools.<name>."""
