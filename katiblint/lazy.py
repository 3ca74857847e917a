"""`cached_view`: a property computed on first access and then stored on the instance."""

from __future__ import annotations

from typing import Any, Callable, Generic, TypeVar, overload

T = TypeVar("T")


class cached_view(Generic[T]):  # noqa: N801 (named like the decorator it replaces)
    """`functools.cached_property` without its lock.

    Python 3.11's `cached_property` takes a lock on every first access; the Experiment views are
    made thousands of times per run, each by the one thread that lints the file. As with
    `cached_property`, the value lands in the instance's `__dict__`, so later reads (and values
    set there directly) bypass this descriptor.
    """

    def __init__(self, compute: Callable[[Any], T]) -> None:
        self.compute = compute
        self.name = compute.__name__
        self.__doc__ = compute.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, instance: None, owner: type | None = None) -> cached_view[T]: ...

    @overload
    def __get__(self, instance: object, owner: type | None = None) -> T: ...

    def __get__(self, instance: object | None, owner: type | None = None) -> T | cached_view[T]:
        if instance is None:
            return self
        value = instance.__dict__[self.name] = self.compute(instance)
        return value
