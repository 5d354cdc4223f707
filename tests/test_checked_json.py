"""Stored JSON is read strictly and checked against the result's type, so a broken entry is found
before a view uses it."""

import unittest
from dataclasses import dataclass, field
from typing import Any, Literal, NotRequired, TypedDict

from app_files.checked_json import WrongShape, dumps, loads, reader, return_type, to_json_data


class Facts(TypedDict):
    bytes: int
    lines: int
    note: NotRequired[str]


@dataclass
class Column:
    name: str
    mean: float | None
    counts: list[int] = field(default_factory=list)


@dataclass
class Table:
    sheet: str | None
    columns: list[Column]


class ReaderTest(unittest.TestCase):
    def assertRefused(self, kind, data, where: str = "") -> None:
        with self.assertRaises(WrongShape) as caught:
            reader(kind)(data)
        self.assertIn(where, str(caught.exception))

    def test_a_typed_dict(self):
        read = reader(Facts)
        self.assertEqual(read({"bytes": 3, "lines": 1}), {"bytes": 3, "lines": 1})
        self.assertEqual(read({"bytes": 3, "lines": 1, "note": "x"})["note"], "x")
        for data in [[], {}, {"bytes": 3}, {"bytes": "x", "lines": 1}, None, "text"]:
            with self.subTest(data=data):
                self.assertRefused(Facts, data)
        self.assertRefused(Facts, {"bytes": 1, "lines": 1.5}, "['lines']: expected a whole number")
        self.assertRefused(Facts, {"bytes": True, "lines": 1}, "['bytes']")  # true is no number
        self.assertRefused(Facts, {"lines": 1}, "bytes missing")

    def test_a_dataclass_is_built_again(self):
        data = {"sheet": None, "columns": [{"name": "a", "mean": 2}, {"name": "b", "mean": None}]}
        table = reader(Table)(data)
        self.assertEqual(table, Table(None, [Column("a", 2.0), Column("b", None)]))
        self.assertIsInstance(table.columns[0].mean, float)
        stored = to_json_data(table)
        self.assertEqual(stored["columns"][1], {"name": "b", "mean": None, "counts": []})
        self.assertEqual(reader(Table)(stored), table)
        broken = {"sheet": None, "columns": [{"name": "a", "mean": "x"}]}
        self.assertRefused(Table, broken, "['columns'][0]['mean']")

    def test_plain_types_lists_dicts_unions_and_literals(self):
        cases = [
            (float, 1, 1.0),
            (list[float], [1, 2.5], [1.0, 2.5]),
            (dict[str, int], {"a": 1}, {"a": 1}),
            (dict, {"a": [1]}, {"a": [1]}),
            (str | None, None, None),
            (Literal["csv", "xlsx"], "csv", "csv"),
            (Any, {"anything": [None]}, {"anything": [None]}),
        ]
        for kind, data, value in cases:
            with self.subTest(kind=kind):
                self.assertEqual(reader(kind)(data), value)
        refused = [
            (float, "1"),
            (float, True),
            (list[float], [1, None]),
            (dict[str, int], []),
            (str | None, 1),
            (Literal["csv"], "xlsx"),
            (Literal[1], True),
            (bool, 0),
        ]
        for kind, data in refused:
            with self.subTest(kind=kind, data=data):
                self.assertRefused(kind, data)

    def test_a_type_it_cannot_check_is_refused_at_once(self):
        for kind in [bytes, set[int], dict[int, str], object()]:
            with self.subTest(kind=kind), self.assertRaisesRegex(TypeError, "cannot be checked"):
                reader(kind)


class StrictJsonTest(unittest.TestCase):
    def test_loads_refuses_what_json_does_not_have(self):
        beyond = b"1" * 310 + b".5"  # no exponent, a float all the same
        for text in [b"NaN", b"[Infinity]", b'{"a": -Infinity}', b"1e999", b"[-1e400]", beyond,
                     b"[" + b"9" * 250 + b"e99]", b"1E+0400"]:  # fmt: skip
            with self.subTest(text=text), self.assertRaises(ValueError):
                loads(text)
        self.assertEqual(loads(b'{"a": [1, 2.5e3, null]}'), {"a": [1, 2500.0, None]})

    def test_dumps_refuses_nan_and_writes_dataclasses(self):
        with self.assertRaises(ValueError):
            dumps({"mean": float("nan")})
        self.assertEqual(loads(dumps(Column("a", 1.5))), {"name": "a", "mean": 1.5, "counts": []})


class ReturnTypeTest(unittest.TestCase):
    def test_of_a_function_and_of_a_callable_object(self):
        def facts(upload) -> Facts: ...

        class Counting:
            def __call__(self, upload) -> list[int]: ...

        self.assertIs(return_type(facts), Facts)
        self.assertEqual(return_type(Counting()), list[int])
        with self.assertRaisesRegex(TypeError, "does not say what it returns"):
            return_type(lambda upload: 1)
