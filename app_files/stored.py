"""Stored results: compute something from an upload once, keep it, and let later jobs reuse it.

In the app, each view and button is a job of its own, perhaps on another worker, with nothing in
memory or on disk from the job before. The first job to see an upload computes the result and
stores it; the others find it and skip the work. A ``Computation`` says what is computed and how it
is stored; ``compute_once`` does the rest, for any computation:

    FACTS = Computation("upload-facts", compute=upload_facts, version=code_version(Path(__file__)))
    stored = compute_once(FACTS, upload, ViktorStore("workspace"))
    stored.value, stored.reused

The key of a result is made of what decides it, and nothing else:
``<name>-<content key>-<version>-<extension>``:

- the computation's ``name``: marks its entries, so that ``clear`` removes only those;
- the upload's content key: the same bytes give the same result, whoever uploads them and
  whatever the file is called. Other bytes give another key. It comes before the version, so the
  entries of one file under every version are listed together, and an outdated one removed;
- its ``version``: derived from the source of the code that computes it (``code_version``), so a
  change to that code never serves a result computed by the old code;
- the upload's extension, which may decide how it is read.

A stored entry is checked before it is used: strict JSON, of the shape that the computation's
return annotation names (``checked_json``). A missing, unreadable, wrong-shaped or outdated entry
is computed again and overwritten, and the entries of older versions of the code are removed once
the new one is stored. A store that fails never fails the job: a failed write is logged and
reported in ``Stored.stored``.

The store also keeps what the app knows of an uploaded file without reading it, under the file's
id (``recall_upload``, ``remember_upload``; ``viktor_jobs`` uses them).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, Generic, TypedDict, TypeVar

from app_files.checked_json import dumps, loads, reader, return_type, to_json_data
from app_files.content_key import is_content_key
from app_files.progress import part, report
from app_files.set_memo import SET_PREFIX, SetMemo
from app_files.stores import ResultStore
from app_files.uploaded import NotFetched, Refused, Upload, UploadError, UploadSet

T = TypeVar("T")
_PLAIN_EXTENSION = re.compile(r"[a-z0-9]{1,10}")
UPLOAD_PREFIX = "file-"  # the key of what is known of an uploaded file: file-<its id>

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Computation(Generic[T]):
    """A result computed from an upload, worth keeping for later jobs."""

    name: str  # the start of every key, such as "table-stats": letters, digits and "-"
    # Reads the upload (and takes compute_once's inputs as keyword arguments); raises UploadError
    # when the upload cannot be used.
    compute: Callable[..., T]
    version: str  # changes whenever the result could: code_version(...) of the code behind it
    # The result as JSON data, and back. By default, a dataclass becomes a dict of its fields, and
    # stored JSON data is checked against the type that compute's return annotation names
    # (checked_json.py): data of another shape is computed again. A from_json of your own raises
    # an exception for data it cannot use.
    to_json: Callable[[T], Any] = to_json_data
    from_json: Callable[[Any], T] | None = None
    _read: Callable[[Any], T] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_read", _reader_of(self.compute, self.from_json, self.name))

    def key(self, upload: Upload, inputs: Mapping[str, Any] | None = None) -> str:
        # The extension comes from the user's file name: only a plain one goes into the key, so
        # that every key is a valid Storage key and file name, and at most about 120 characters.
        extension = upload.suffix if _PLAIN_EXTENSION.fullmatch(upload.suffix) else "other"
        key = f"{self.name}-{upload.content_key}-{self.version}-{extension}"
        if inputs:
            values = json.dumps(dict(inputs), sort_keys=True, allow_nan=False).encode()
            key += f"-{hashlib.sha256(values).hexdigest()[:16]}"
        return key


@dataclass
class Stored(Generic[T]):
    value: T
    reused: bool  # True when the value came from the store, False when computed now
    stored: bool  # True when the value is in the store for later jobs


def compute_once(
    computation: Computation[T],
    upload: Upload,
    store: ResultStore,
    inputs: Mapping[str, Any] | None = None,
) -> Stored[T]:
    """The result of ``computation`` for ``upload``: from the store if it is there, else
    computed now and stored.

    ``inputs``: what else decides the result, such as field values ({"span": params.span}),
    given to ``compute`` as keyword arguments and made part of the key, so that each set of
    values is computed once. They must be JSON data (numbers, texts, booleans, lists)."""
    key = computation.key(upload, inputs)
    found = _load(store, key, computation._read)
    if found is not None:
        logger.info("Reused %s from the store", key)
        return Stored(found[0], reused=True, stored=True)
    upload.rewind()  # another computation may have read it in this job
    value = computation.compute(upload, **(inputs or {}))
    report("Storing the result for later jobs", 0.95)
    stored = _save(store, key, computation.to_json(value))
    if stored:
        _remove_other_versions(store, computation, upload)
    return Stored(value, reused=False, stored=stored)


@dataclass
class Each(Generic[T]):
    """A computation's results for each of several uploads, and the files it could not use."""

    results: list[tuple[Upload, Stored[T]]]  # in the order of the files
    refused: list[Refused]  # in the order of the files, each with why

    @property
    def values(self) -> list[T]:
        return [stored.value for _, stored in self.results]


def compute_each(
    computation: Computation[T],
    uploads: UploadSet,
    store: ResultStore,
    known: dict[str, Stored[T]] | None = None,
) -> Each[T]:
    """``compute_once`` for each file of ``uploads``, one file at a time: a file whose result is
    stored is not read, the same bytes twice are read once, and a file that cannot be used is left
    out and listed with why, so that the others still give their results. What a computation
    reports says which file of how many it is at. ``known``: results found already, by key."""
    outcomes = _each(computation, uploads, store, known or {})
    return Each(_results(outcomes), _in_order(uploads, _refused(outcomes)))


def _each(
    computation: Computation[T], uploads: UploadSet, store: ResultStore, known: dict[str, Stored[T]]
) -> list[tuple[Upload, Stored[T] | Refused]]:
    """Each file ``uploads`` receives, with its result or why it cannot be used, in order.
    The results are kept with the field (``uploads.memo``) too, so that the next job on it asks
    the store only for those of files that are new to it."""
    outcomes: list[tuple[Upload, Stored[T] | Refused]] = []
    by_key = dict(known)
    as_json: dict[str, Any] = {}  # of the results found with the field: no need to make it again
    for number, upload in enumerate(uploads, start=1):
        key = computation.key(upload)
        if key not in by_key and uploads.memo is not None:
            found = _from_memo(computation, uploads.memo, key)
            if found is not None:
                by_key[key], as_json[key] = Stored(found[0], reused=True, stored=True), found[1]
        if key not in by_key:
            try:
                by_key[key] = _compute_one_of(computation, upload, store, number, len(uploads))
            except UploadError as error:
                refused = Refused(upload.name, str(error), isinstance(error, NotFetched))
                outcomes.append((upload, refused))
                continue
        outcomes.append((upload, by_key[key]))
    fetched = not any(file.for_now for file in [*uploads.refused, *_refused(outcomes)])
    if uploads.memo is not None and fetched:  # else the next job may have them all
        results = {computation.key(upload): outcome for upload, outcome in _results(outcomes)}

        def encoded(key: str) -> bytes:
            return dumps(as_json.get(key) or computation.to_json(results[key].value))

        uploads.memo.keep_results(computation.name, results, encoded)
    return outcomes


def _from_memo(computation: Computation[T], memo: SetMemo, key: str) -> tuple[T, Any] | None:
    """The result kept under ``key`` with the field, and its JSON data; None if it is not there
    or cannot be used."""
    data = memo.result(computation.name, key)
    if data is None:
        return None
    try:
        return computation._read(data), data
    except Exception as error:  # whatever it holds, it is asked of the store instead
        logger.warning("Result %s kept with the field is unusable (%r)", key, error)
        return None


def _results(outcomes: list[tuple[Upload, Stored[T] | Refused]]) -> list[tuple[Upload, Stored[T]]]:
    return [(upload, outcome) for upload, outcome in outcomes if isinstance(outcome, Stored)]


def _refused(outcomes: list[tuple[Upload, Stored[T] | Refused]]) -> list[Refused]:
    return [outcome for _, outcome in outcomes if isinstance(outcome, Refused)]


def _compute_one_of(
    computation: Computation[T], upload: Upload, store: ResultStore, number: int, count: int
) -> Stored[T]:
    if count == 1:  # one file tells where it is as one upload does
        return compute_once(computation, upload, store)
    with part(f"File {number} of {count}, {upload.name}", (number - 1) / count, number / count):
        return compute_once(computation, upload, store)


def _in_order(uploads: UploadSet, refused: list[Refused]) -> list[Refused]:
    """The files ``uploads`` refused and those ``refused``, in the order of the files."""
    order = {name: number for number, name in enumerate(uploads.names)}
    return sorted([*uploads.refused, *refused], key=lambda found: order.get(found.name, 0))


U = TypeVar("U")


@dataclass(frozen=True)
class Combination(Generic[T, U]):
    """A result made of a computation's results for several files: kept once for each set."""

    name: str  # the start of every key, as a Computation's
    combine: Callable[[list[T]], U]  # from the results of the files it can use, in their order
    version: str  # changes whenever the result could: code_version(...) of the code behind it
    to_json: Callable[[U], Any] = to_json_data
    from_json: Callable[[Any], U] | None = None
    _read: Callable[[Any], U] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_read", _reader_of(self.combine, self.from_json, self.name))

    def key(self, file_keys: list[str]) -> str:
        """The key of the result for files whose results have these keys, in this order: the
        computation's version and the files' content keys are in them."""
        files = hashlib.sha256("\n".join(file_keys).encode()).hexdigest()
        return f"{self.name}-{files}-{self.version}"


class _LeftOut(TypedDict):
    position: int  # among the files received
    name: str  # as it was named when it was left out
    message: str  # why


class _CombinedEntry(TypedDict):
    value: Any  # the result, as the combination's to_json makes it
    left_out: list[_LeftOut]  # the files whose content cannot be used


@dataclass
class Combined(Generic[U]):
    value: U
    uploads: list[Upload]  # the files it is made of, in their order (their bytes closed by now)
    refused: list[Refused]  # the files left out, with why, in their order
    reused: bool
    stored: bool


def compute_combined(
    combination: Combination[T, U],
    computation: Computation[T],
    uploads: UploadSet,
    store: ResultStore,
) -> Combined[U]:
    """The ``combination`` of ``computation``'s results for the files of ``uploads``: from the
    store when that set of files is kept there (which reads no file and asks the store for no
    file's own result), else made from each file's result (as ``compute_each``) and stored.

    It is kept under a key made of the keys of the files' results, so that the same files give it
    again in any later job, with the files whose content it could not use. A combination of some
    of the files only, because others could not be fetched just now, is shown but not kept: trying
    again may give them all. A file left out is named as it is named now: where one of the same
    content was named otherwise when it was kept, the combination is made again, so that no user
    reads the name another gave a file."""
    received, early = [], {}
    for number, upload in enumerate(uploads, start=1):  # what is known of each file
        received.append(upload)
        if upload.fetched:  # a file no job has seen: its bytes are here, so its result now
            with contextlib.suppress(UploadError):  # _each lists it with why
                early[computation.key(upload)] = _compute_one_of(
                    computation, upload, store, number, len(uploads)
                )
    everything = not any(file.for_now for file in uploads.refused)
    key = combination.key([computation.key(upload) for upload in received])
    found = _load(store, key, _read_combined(combination._read)) if everything else None
    if found is not None and _named_as_now(found[0][1], received):
        logger.info("Reused %s from the store", key)
        value, left_out = found[0]
        positions = {file["position"] for file in left_out}
        refused = [Refused(file["name"], file["message"]) for file in left_out]
        used = [upload for position, upload in enumerate(received) if position not in positions]
        return Combined(value, used, _in_order(uploads, refused), reused=True, stored=True)
    outcomes = _each(computation, uploads, store, early)
    results, refused = _results(outcomes), _refused(outcomes)
    value = combination.combine([result.value for _, result in results])
    everything = not any(file.for_now for file in [*uploads.refused, *refused])
    stored = everything and _save(  # kept only when every file could be fetched this time
        store,
        combination.key([computation.key(upload) for upload, _ in outcomes]),
        _CombinedEntry(
            value=combination.to_json(value),
            left_out=[
                _LeftOut(position=position, name=outcome.name, message=outcome.message)
                for position, (_, outcome) in enumerate(outcomes)
                if isinstance(outcome, Refused)
            ],
        ),
    )
    used = [upload for upload, _ in results]
    return Combined(value, used, _in_order(uploads, refused), reused=False, stored=stored)


def _named_as_now(left_out: list[_LeftOut], received: list[Upload]) -> bool:
    """Each file a kept combination left out is at its place, and named as it was then."""
    return all(
        0 <= file["position"] < len(received) and received[file["position"]].name == file["name"]
        for file in left_out
    )


def _reader_of(
    function: Callable[..., Any], from_json: Callable[[Any], Any] | None, name: str
) -> Callable[[Any], Any]:
    """What reads a stored result of ``function``: ``from_json``, or else a check of the JSON
    data against the type ``function``'s return annotation names."""
    if from_json is not None:
        return from_json
    try:
        return reader(return_type(function))
    except TypeError as error:
        raise TypeError(
            f"{name!r}: {error}, so a stored result cannot be checked: annotate what it returns "
            "(a TypedDict, a dataclass, dict[str, float], ...), or give it a from_json of its own."
        ) from None


def _read_combined(read: Callable[[Any], U]) -> Callable[[Any], tuple[U, list[_LeftOut]]]:
    entry = reader(_CombinedEntry)

    def read_entry(data: Any) -> tuple[U, list[_LeftOut]]:
        checked = entry(data)
        return read(checked["value"]), checked["left_out"]

    return read_entry


@dataclass
class Cleared:
    removed: int = 0  # entries removed
    failed: int = 0  # entries the store did not remove
    listed: bool = True  # False when the store did not list them all: there may be more

    @property
    def complete(self) -> bool:
        """Everything is removed."""
        return self.failed == 0 and self.listed

    def __add__(self, other: Cleared) -> Cleared:
        """What two clears removed together (in two stores, say)."""
        return Cleared(
            self.removed + other.removed, self.failed + other.failed, self.listed and other.listed
        )


def clear(
    store: ResultStore, computations: Iterable[Computation[Any] | Combination[Any, Any]]
) -> Cleared:
    """Remove every stored result of ``computations`` (and combinations), of any version, and
    what is known of uploaded files (``set_memo`` keeps it of a MultiFileField's files in another
    scope: clear that too). A store that fails is counted, never raised."""
    cleared = Cleared()
    names = [f"{computation.name}-" for computation in computations]
    for prefix in [*names, UPLOAD_PREFIX, SET_PREFIX]:
        try:
            keys = store.keys(prefix)
        except Exception as error:
            logger.warning("Could not list %s... in the store (%s)", prefix, error)
            cleared.listed = False
            continue
        for key in keys:
            try:
                store.delete(key)
            except FileNotFoundError:  # another job removed it first
                continue
            except Exception as error:
                logger.warning("Could not remove %s from the store (%s)", key, error)
                cleared.failed += 1
                continue
            cleared.removed += 1
    return cleared


def code_version(*sources: Path, libraries: Iterable[str] = ()) -> str:
    """A short hash of the Python files in ``sources`` (files or folders, searched to any depth)
    and of the installed versions of ``libraries``: it changes whenever any of them does.

    Line endings are left out, so that a checkout on Windows gives the same version as one on
    Linux. Give every folder whose code decides the result, and the libraries that read the input.
    """
    digest = hashlib.sha256()
    for source in sources:
        files = sorted(source.rglob("*.py")) if source.is_dir() else [source]
        for file in files:
            digest.update(file.relative_to(source.parent).as_posix().encode())
            digest.update(file.read_bytes().replace(b"\r\n", b"\n"))
    for library in libraries:
        digest.update(f"{library}=={metadata.version(library)}".encode())
    return digest.hexdigest()[:12]


class KnownUpload(TypedDict):
    """What is known of an uploaded file without reading it."""

    bytes: int
    content_key: str


_read_known_upload = reader(KnownUpload)


def recall_upload(store: ResultStore, file_id: str) -> KnownUpload | None:
    """What an earlier job stored of the uploaded file ``file_id``; None when nothing usable is
    stored (the file must then be read)."""

    def read(data: Any) -> KnownUpload:
        known = _read_known_upload(data)
        if known["bytes"] < 1 or not is_content_key(known["content_key"]):
            raise ValueError(f"not a size and content key: {known}")
        return known

    found = _load(store, UPLOAD_PREFIX + file_id, read)
    return None if found is None else found[0]


def remember_upload(store: ResultStore, file_id: str, size: int, content_key: str) -> None:
    """Store what is known of the uploaded file ``file_id``, for later jobs."""
    _save(store, UPLOAD_PREFIX + file_id, KnownUpload(bytes=size, content_key=content_key))


def _load(store: ResultStore, key: str, read: Callable[[Any], T]) -> tuple[T] | None:
    try:
        data = store.read(key)
    except Exception as error:  # the store is unreachable: compute instead
        logger.warning("Could not read %s from the store (%s); computing it again", key, error)
        return None
    if data is None:
        return None
    try:
        return (read(loads(data)),)
    except Exception as error:  # whatever the entry holds, it is computed again, never used
        logger.warning("Stored entry %s is unusable (%r); computing it again", key, error)
        return None


def _save(store: ResultStore, key: str, data: Any) -> bool:
    try:
        store.write(key, dumps(data))
    except Exception as error:  # the result is still good; only the next job will not find it
        logger.warning("Could not store %s (%s); the next job will compute it again", key, error)
        return False
    return True


def _remove_other_versions(
    store: ResultStore, computation: Computation[Any], upload: Upload
) -> None:
    """Remove the entries of the same computation and bytes under other versions of its code,
    which no job of this version asks for again."""
    prefix = f"{computation.name}-{upload.content_key}-"
    try:
        for key in store.keys(prefix):
            if not key.removeprefix(prefix).startswith(f"{computation.version}-"):
                try:
                    store.delete(key)
                except FileNotFoundError:  # another job removed it first
                    pass
    except Exception as error:  # they are only unused; the next new version tries again
        logger.warning("Could not remove older versions of %s... (%s)", prefix, error)
