"""Readers of uploaded files, one module per format: bytes to rows, refusing what is unsafe."""
