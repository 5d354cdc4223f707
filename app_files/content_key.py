"""The key of an upload's content: what the stored results are filed under.

The key is the SHA-256 of the SHA-256s of the file's 1 MiB blocks. It is as hard to forge as the
SHA-256 of the whole file (two different files with the same key would need a SHA-256
collision), and the same bytes always give the same key, however the file is read.

Why blocks: a job that finds its result stored does nothing but compute this key, so hashing is
most of its work. Blocks can be hashed by two threads at once (file reads and hashlib release
Python's interpreter lock), which halves that time on a worker with two cores. Plain
``hashlib.file_digest(file, "sha256")`` would do in an app whose uploads are small.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import BinaryIO

BLOCK_BYTES = 1024 * 1024  # part of the key's definition: changing it changes every key
_A_KEY = re.compile(r"[0-9a-f]{64}")


def content_key(file: BinaryIO, size: int) -> str:
    """The key of the first ``size`` bytes of ``file``, hashed a block per thread."""
    read_block = _block_reader(file)
    with ThreadPoolExecutor(max_workers=2) as pool:
        offsets = range(0, size, BLOCK_BYTES)
        digests = pool.map(lambda offset: hashlib.sha256(read_block(offset)).digest(), offsets)
        return hashlib.sha256(b"".join(digests)).hexdigest()


def is_content_key(text: str) -> bool:
    """Whether ``text`` has the form of a content key (for what a store gives back)."""
    return _A_KEY.fullmatch(text) is not None


def _block_reader(file: BinaryIO) -> Callable[[int], bytes]:
    """A function that reads the block at an offset, safe to call from several threads."""
    if hasattr(os, "pread"):  # Linux and macOS: each thread reads its own block
        try:
            descriptor = file.fileno()
        except (AttributeError, OSError, io.UnsupportedOperation):  # an in-memory file
            pass
        else:
            return lambda offset: _read_fully(partial(os.pread, descriptor), offset)
    lock = threading.Lock()

    def read(offset: int) -> bytes:
        with lock:
            file.seek(offset)
            return _read_fully(lambda size, _: file.read(size), offset)

    return read


def _read_fully(read: Callable[[int, int], bytes], offset: int) -> bytes:
    """The block at ``offset``: BLOCK_BYTES, or fewer at the end of the file."""
    block = read(BLOCK_BYTES, offset)
    while block and len(block) < BLOCK_BYTES:
        more = read(BLOCK_BYTES - len(block), offset + len(block))
        if not more:
            break
        block += more
    return block
