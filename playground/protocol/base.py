"""Base classes for every wire object, and the one way to turn a model into a body.

Responses keep unknown fields (``extra="allow"``) because real servers send more than the
spec lists (Azure content-filter data, ``expires_at`` on steps, Foundry extras), and a
client that silently dropped them could not show or forward them. Requests allow extras
too, so callers can pass vendor parameters the models do not name yet; the runtime,
which knows every field it serves, refuses them (``protocol.inbound``).

Discriminator fields (``type``, ``object``) declared as a ``Literal`` with a default are
marked as set on every instance: ``exclude_unset`` dumps must still say which variant an
object is, or ``CodeInterpreterTool()`` would serialise to ``{}``.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal, get_origin

from pydantic import BaseModel, ConfigDict, model_validator

_TAG_FIELDS = ("type", "object")


class _TaggedModel(BaseModel):
    """Marks Literal-typed discriminator fields as always set (see module docstring)."""

    _always_set: ClassVar[frozenset[str]] = frozenset()

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        cls._always_set = frozenset(
            name
            for name in _TAG_FIELDS
            if (field := cls.model_fields.get(name)) is not None
            and get_origin(field.annotation) is Literal
            and isinstance(field.default, str)
        )

    def model_post_init(self, context: Any, /) -> None:
        if self._always_set:
            self.__pydantic_fields_set__.update(self._always_set)


class WireModel(_TaggedModel):
    """A response object: unknown fields are kept and dumped back unchanged."""

    model_config = ConfigDict(
        extra="allow", validate_by_name=True, validate_by_alias=True, serialize_by_alias=True
    )


class RequestModel(_TaggedModel):
    """A request body: only fields the caller set are sent (see :func:`to_body`).

    A response-side object (a ``FunctionTool`` read from an assistant) is accepted where
    the request form (``FunctionToolInput``) is expected, as the fields it had set.
    """

    model_config = ConfigDict(
        extra="allow", validate_by_name=True, validate_by_alias=True, serialize_by_alias=True
    )

    @model_validator(mode="before")
    @classmethod
    def _from_other_model(cls, value: Any) -> Any:
        if isinstance(value, BaseModel) and not isinstance(value, cls):
            return value.model_dump(exclude_unset=True, by_alias=True)
        return value


def to_body(model: BaseModel) -> dict[str, Any]:
    """Dump a request model to a JSON-ready dict with only the fields that were set.

    ``null`` and "absent" mean different things on the wire (``tool_resources: null``
    clears, absence keeps), so unset fields must not be sent as ``None``.
    """
    return model.model_dump(mode="json", exclude_unset=True, by_alias=True)


def to_wire(model: BaseModel) -> dict[str, Any]:
    """Dump a parsed response object back to JSON form without adding defaults.

    Round-trips a parsed payload: fields that were absent stay absent, extras stay.
    Servers building objects should dump with ``model_dump(mode="json")`` instead, so
    every documented field is present.
    """
    return model.model_dump(mode="json", exclude_unset=True, by_alias=True)
