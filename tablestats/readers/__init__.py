"""Readers of uploaded files, one module per format: bytes to rows, refusing what is unsafe."""

# The first bytes of the two kinds of files that people upload under the wrong name most often.
ZIP_SIGNATURE = b"PK\x03\x04"  # .xlsx, .xlsm, .docx, .ods: all zip files
OLE_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")  # .xls, and .xlsx protected with a password
