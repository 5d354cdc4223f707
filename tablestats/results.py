"""Compute a summary once, keep it, and let every later job reuse it.

In the app, the view and the download are separate jobs, perhaps on separate workers. The first
job to see an upload reads it and stores the summary; the others find the summary and skip the
reading, which for a large workbook is most of the work.

The key is made of what decides the summary, and nothing else:

- ``KEY_PREFIX``: marks this app's entries, so that ``clear`` removes only those;
- ``SCHEMA_VERSION``: raise it whenever the summary changes (a new statistic, a reader that reads
  differently). Entries of older versions are then ignored, recomputed and, in time, cleared;
- the kind of file and the SHA-256 of its bytes: the same bytes give the same summary, whoever
  uploads them and whatever the file is called. A different file gives a different key.

A store that fails never fails the job: a missing, unreadable or outdated entry is recomputed and
overwritten, and a failed write is logged and reported in ``Result.stored``.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import BinaryIO

from tablestats.limits import DEFAULT_LIMITS, Limits
from tablestats.statistics import Summary, summarize
from tablestats.store import ResultStore
from tablestats.upload import Upload, read_table, receive_upload

KEY_PREFIX = "table-stats-"
SCHEMA_VERSION = 1

logger = logging.getLogger(__name__)


@dataclass
class Result:
    file_name: str
    file_size: int  # bytes
    sheet: str | None  # the worksheet that was read; None for a text file
    summary: Summary
    reused: bool  # True when the summary came from the store, False when computed now
    stored: bool  # True when the summary is in the store for later jobs

    def to_dict(self) -> dict:
        """The result as plain data (the command line's --json output, without the report)."""
        return {
            "file": self.file_name,
            "sheet": self.sheet,
            **self.summary.to_dict(),
            "reused": self.reused,
        }


def result_key(upload: Upload) -> str:
    return f"{KEY_PREFIX}v{SCHEMA_VERSION}-{upload.kind}-{upload.sha256}"


def summarize_upload(
    source: BinaryIO, filename: str, store: ResultStore, limits: Limits = DEFAULT_LIMITS
) -> Result:
    """The summary of the upload in ``source``, from the store if it is there; else computed
    now and stored. Raises UploadError when the upload cannot be used."""
    with receive_upload(source, filename, limits) as upload:
        key = result_key(upload)
        entry = _load(store, key)
        if entry is not None:
            sheet, summary = entry
            return Result(filename, upload.size, sheet, summary, reused=True, stored=True)
        table = read_table(upload, limits)
        summary = summarize(table.header, table.rows, table.parse_numbers)
        stored = _save(store, key, table.sheet, summary)
        return Result(filename, upload.size, table.sheet, summary, reused=False, stored=stored)


def clear(store: ResultStore) -> int:
    """Remove every entry this app stored; the number removed."""
    removed = 0
    for key in store.keys(KEY_PREFIX):
        try:
            store.delete(key)
        except FileNotFoundError:  # another job removed it first
            continue
        removed += 1
    return removed


def _load(store: ResultStore, key: str) -> tuple[str | None, Summary] | None:
    try:
        data = store.read(key)
    except Exception as error:  # the store is unreachable: compute instead
        logger.warning("Could not read %s from the store (%s); computing it again", key, error)
        return None
    if data is None:
        return None
    try:
        entry = json.loads(data)
        if entry["schema"] != SCHEMA_VERSION:
            raise ValueError(f"schema {entry['schema']}")
        return entry["sheet"], Summary.from_dict(entry)
    except (ValueError, KeyError, TypeError) as error:
        logger.warning("Stored entry %s is unreadable (%r); computing it again", key, error)
        return None


def _save(store: ResultStore, key: str, sheet: str | None, summary: Summary) -> bool:
    entry = {"schema": SCHEMA_VERSION, "sheet": sheet, **summary.to_dict()}
    try:
        store.write(key, json.dumps(entry).encode("utf-8"))
    except Exception as error:  # the result is still good; only the next job will not find it
        logger.warning("Could not store %s (%s); the next job will compute it again", key, error)
        return False
    return True
