"""How many numbers fell on each integer key: the store behind both sketches of ``distribution``.

Only the keys that occur are kept (sorted, with their counts), so memory grows with the number of
different keys, not with the range between the smallest and the largest. The sketches keep that
range to a few thousand keys, which is also what adding a block of keys costs. The counts of two
columns add up (``add_counts``), and are kept as JSON data (``to_dict``, ``from_dict``), so that
the tables of several uploads merge into one (``statistics.Totals``).
"""

from __future__ import annotations

import numpy as np

from tablestats.json_values import whole_numbers


class KeyCounts:
    def __init__(self) -> None:
        self.keys = np.empty(0, dtype=np.int64)  # sorted, each once
        self.counts = np.empty(0, dtype=np.int64)  # how many numbers fell on each key

    def __len__(self) -> int:
        return len(self.keys)

    def add(self, keys: np.ndarray, times: int = 1) -> None:
        """Count ``times`` numbers at each of ``keys`` (an int64 array, in any order)."""
        if not len(keys):
            return
        low, high = int(keys.min()), int(keys.max())
        if len(self.keys):
            low, high = min(low, int(self.keys[0])), max(high, int(self.keys[-1]))
        counts = np.bincount(keys - low, minlength=high - low + 1) * times
        counts[self.keys - low] += self.counts
        (present,) = np.nonzero(counts)
        self.keys, self.counts = present + low, counts[present]

    def add_counts(self, keys: np.ndarray, counts: np.ndarray) -> None:
        """Count ``counts[i]`` numbers at ``keys[i]`` (int64 arrays, keys in any order)."""
        if not len(keys):
            return
        all_keys = np.concatenate([self.keys, keys])
        order = np.argsort(all_keys, kind="stable")
        self.keys, first = np.unique(all_keys[order], return_index=True)
        self.counts = np.add.reduceat(np.concatenate([self.counts, counts])[order], first)

    def relabel(self, new_keys: np.ndarray) -> None:
        """Move each key's count to its new key; ``new_keys`` must not decrease along ``keys``."""
        if not len(self.keys):
            return
        self.keys, first = np.unique(new_keys, return_index=True)
        self.counts = np.add.reduceat(self.counts, first)

    def key_of_rank(self, rank: int) -> int:
        """The key of the number with that rank (0 for the one on the lowest key)."""
        return int(self.keys[np.searchsorted(np.cumsum(self.counts), rank, side="right")])

    def to_dict(self) -> dict:
        return {"keys": self.keys.tolist(), "counts": self.counts.tolist()}

    @classmethod
    def from_dict(cls, data: dict) -> KeyCounts:
        """The inverse of ``to_dict``; ValueError, KeyError or TypeError on anything else."""
        found = cls()
        found.keys, found.counts = whole_numbers(data["keys"]), whole_numbers(data["counts"])
        if len(found.keys) != len(found.counts):
            raise ValueError(f"{len(found.keys)} keys, {len(found.counts)} counts")
        if np.any(np.diff(found.keys) <= 0) or np.any(found.counts <= 0):
            raise ValueError("keys not increasing, or counts not positive")
        return found
