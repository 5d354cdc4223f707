"""Results as JSON and back, checked: a stored entry is used only when it has the shape of the
result, so a broken one is computed again instead of failing a view later.

A stored entry can hold anything: a half-written value, the entry of an older version of the
code, a hand-edited one. So it is read strictly (no NaN, Infinity or number beyond a float's range,
which JSON does not have and a browser refuses) and checked against the type that the computation's
return annotation names, before any code uses it:

    class Facts(TypedDict):
        bytes: int
        lines: int

    def facts(upload: Upload) -> Facts: ...

``reader(Facts)`` returns a function that gives back the JSON data if it is such a dict, and raises
``WrongShape`` (a ValueError) if it is not: ``{"bytes": "x"}``, ``[]`` or ``{}``.

The types it checks: bool, int, float, str, None and Any; list[X] and dict[str, X]; X | None and
other unions; Literal[...]; a TypedDict; a dataclass (stored as a dict of its fields, and built
again on reading). For any other type, give the Computation a to_json and from_json of its own.
"""

from __future__ import annotations

import dataclasses
import inspect
import json
import math
import re
import types
import typing
from collections.abc import Callable
from typing import Any, Literal, Union

# Checks JSON data ``data`` found at ``where`` ("", or a path such as "['columns'][2]"); returns
# it as the value, or raises WrongShape.
Check = Callable[[Any, str], Any]


class WrongShape(ValueError):
    """JSON data that does not have the shape of the result."""


def dumps(value: Any) -> bytes:
    """``value`` as strict JSON; ValueError for NaN or Infinity, TypeError for a type JSON lacks."""
    # The encoder asks _fields_of only for what JSON lacks: lists of numbers go at C speed.
    return json.dumps(value, allow_nan=False, default=_fields_of).encode("utf-8")


def _fields_of(value: Any) -> dict[str, Any]:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def loads(data: bytes) -> Any:
    """The JSON data in ``data``; ValueError for what is not strict JSON (NaN, Infinity, 1e999)."""
    if _MAY_OVERFLOW.search(data):  # then each number is checked as it is read: slower
        return json.loads(data, parse_constant=_refuse_constant, parse_float=_finite_float)
    return json.loads(data, parse_constant=_refuse_constant)


# Only a number with an exponent of three digits or a hundred digits in a row can be beyond a
# float's range (below 10**308): data without either is read at the parser's own speed.
_MAY_OVERFLOW = re.compile(rb"[eE][+-]?[0-9]{3}|[0-9]{100}")


def to_json_data(value: Any) -> Any:
    """``value`` with every dataclass in it as a dict of its fields, ready for ``dumps``."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_json_data(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [to_json_data(item) for item in value]
    if isinstance(value, dict):
        return {key: to_json_data(item) for key, item in value.items()}
    return value


def return_type(function: Callable[..., Any]) -> Any:
    """The type ``function`` (or a callable object's ``__call__``) says it returns; TypeError when
    it says nothing."""
    target = function if inspect.isroutine(function) else type(function).__call__
    hints = typing.get_type_hints(target)
    if "return" not in hints:
        raise TypeError(f"{function!r} does not say what it returns")
    return hints["return"]


def reader(kind: Any) -> Callable[[Any], Any]:
    """A function that returns JSON data as a value of ``kind``, or raises WrongShape; TypeError
    now for a type this module cannot check."""
    check = _check_of(kind)
    return lambda data: check(data, "")


def _check_of(kind: Any) -> Check:
    if kind is Any or kind is object:
        return lambda data, where: data
    if kind is None or kind is type(None):
        return _instance(type(None), "null")
    if kind is bool:
        return _instance(bool, "true or false")
    if kind is int:
        return _instance(int, "a whole number")
    if kind is float:
        return _number
    if kind is str:
        return _instance(str, "a text")
    origin, arguments = typing.get_origin(kind), typing.get_args(kind)
    if origin is Literal:
        return _literal(arguments)
    if origin is Union or origin is types.UnionType:
        return _union([_check_of(argument) for argument in arguments])
    if kind is list or origin is list:
        return _list(_check_of(arguments[0] if arguments else Any))
    if (kind is dict or origin is dict) and (not arguments or arguments[0] is str):
        return _dict(_check_of(arguments[1] if arguments else Any))
    if typing.is_typeddict(kind):
        return _typed_dict(kind)
    if dataclasses.is_dataclass(kind) and isinstance(kind, type):
        return _dataclass(kind)
    raise TypeError(
        f"a stored {getattr(kind, '__name__', kind)} cannot be checked; use the types "
        "app_files/checked_json.py lists, or give the Computation a from_json of its own"
    )


def _wrong(data: Any, where: str, expected: str) -> WrongShape:
    shown = repr(data) if len(repr(data)) <= 40 else repr(data)[:37] + "..."
    return WrongShape(f"{where or 'the value'}: expected {expected}, found {shown}")


def _instance(kind: type, expected: str) -> Check:
    def check(data: Any, where: str) -> Any:
        # bool is an int in Python, but true is not a number in JSON
        if not isinstance(data, kind) or (kind is int and isinstance(data, bool)):
            raise _wrong(data, where, expected)
        return data

    return check


def _number(data: Any, where: str) -> float:
    if isinstance(data, bool) or not isinstance(data, int | float) or not math.isfinite(data):
        raise _wrong(data, where, "a number")
    return float(data)


def _literal(values: tuple[Any, ...]) -> Check:
    def check(data: Any, where: str) -> Any:
        if not any(type(data) is type(value) and data == value for value in values):
            raise _wrong(data, where, f"one of {', '.join(map(repr, values))}")
        return data

    return check


def _union(checks: list[Check]) -> Check:
    def check(data: Any, where: str) -> Any:
        problems = []
        for each in checks:
            try:
                return each(data, where)
            except WrongShape as problem:
                problems.append(str(problem))
        raise WrongShape("; or ".join(problems))

    return check


def _list(item: Check) -> Check:
    def check(data: Any, where: str) -> list:
        if not isinstance(data, list):
            raise _wrong(data, where, "a list")
        return [item(value, f"{where}[{index}]") for index, value in enumerate(data)]

    return check


def _dict(value: Check) -> Check:
    def check(data: Any, where: str) -> dict:
        if not isinstance(data, dict):
            raise _wrong(data, where, "an object")
        return {key: value(item, f"{where}[{key!r}]") for key, item in data.items()}

    return check


def _fields(data: Any, where: str, checks: dict[str, Check], required: set[str]) -> dict:
    """The fields of an object, each checked; WrongShape when a required one is missing."""
    if not isinstance(data, dict):
        raise _wrong(data, where, f"an object with {', '.join(sorted(checks))}")
    missing = sorted(required - data.keys())
    if missing:
        raise WrongShape(f"{where or 'the value'}: {', '.join(missing)} missing")
    return {
        name: check(data[name], f"{where}[{name!r}]")
        for name, check in checks.items()
        if name in data
    }


def _typed_dict(kind: Any) -> Check:
    checks = {name: _check_of(hint) for name, hint in typing.get_type_hints(kind).items()}
    required = set(kind.__required_keys__)
    return lambda data, where: _fields(data, where, checks, required)


def _dataclass(kind: type) -> Check:
    hints = typing.get_type_hints(kind)
    fields = [f for f in dataclasses.fields(kind) if f.init]
    checks = {f.name: _check_of(hints[f.name]) for f in fields}
    required = {
        f.name
        for f in fields
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    }
    return lambda data, where: kind(**_fields(data, where, checks, required))


def _refuse_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number JSON can hold")


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"{text} is beyond a float's range")
    return number
