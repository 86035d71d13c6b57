"""Results as JSON-native values and back: the snapshot an outbox notice carries."""

from __future__ import annotations

import types
from dataclasses import fields, is_dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any, Self, TypeVar, Union, cast, get_args, get_origin, get_type_hints

T = TypeVar("T")


def to_data(value: Any) -> Any:
    """A result as JSON-native values (dates as ISO strings): the snapshot an outbox notice carries."""
    if isinstance(value, date):  # datetime too
        return value.isoformat()
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_data(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, (tuple, list)):
        return [to_data(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_data(v) for k, v in value.items()}
    return value


def from_data(cls: type[T], data: dict[str, Any]) -> T:
    """The inverse of ``to_data`` for a result dataclass, guided by its field types."""
    dataclass_: Any = cls  # a dataclass: its fields and constructor are read from it
    hints = get_type_hints(dataclass_)
    return cast(T, dataclass_(**{f.name: _typed(hints[f.name], data[f.name]) for f in fields(dataclass_)
                                 if f.name in data}))


def _typed(hint: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        options = [a for a in get_args(hint) if a is not type(None)]
        return _typed(options[0], value) if len(options) == 1 else value
    if origin is tuple:
        return tuple(_typed(get_args(hint)[0], v) for v in value)
    if isinstance(hint, type) and issubclass(hint, Enum):  # an outcome
        return hint(value)
    if hint is datetime:
        return datetime.fromisoformat(value)
    if hint is date:
        return date.fromisoformat(value)
    if isinstance(hint, type) and is_dataclass(hint):
        return from_data(hint, value)
    return value


class Snapshot:
    """A result dataclass that an outbox notice carries: ``to_data`` for the JSON, ``from_data`` back."""

    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = to_data(self)
        return data

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Self:
        return from_data(cls, data)
