"""Ready-made function definitions to start from in the function editor.

Writing a JSON Schema from a blank page is the slowest part of trying out function calling;
a template gives a valid, realistic starting point that the person then edits. Every template
here must pass the editor's own validation (a test checks that), so starting from one never
begins with an error.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class FunctionTemplate:
    """One template: what the menu shows (``title``) and the definition it fills in."""

    key: str
    title: str
    name: str
    description: str
    parameters: dict[str, Any] = field(default_factory=dict)

    def parameters_text(self) -> str:
        """The parameters as the editor shows them: indented JSON."""
        return json.dumps(self.parameters, indent=2)


def _object(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": required}


TEMPLATES: tuple[FunctionTemplate, ...] = (
    FunctionTemplate(
        key="get_weather",
        title="Weather for a place",
        name="get_weather",
        description="Get the current weather for a city or place.",
        parameters=_object(
            {
                "location": {
                    "type": "string",
                    "description": "City and country, e.g. Paris, France",
                },
                "unit": {
                    "type": "string",
                    "enum": ["celsius", "fahrenheit"],
                    "description": "Temperature unit",
                },
            },
            ["location"],
        ),
    ),
    FunctionTemplate(
        key="get_stock_price",
        title="Stock price",
        name="get_stock_price",
        description="Get the latest trading price of a stock by its ticker symbol.",
        parameters=_object(
            {
                "symbol": {
                    "type": "string",
                    "description": "Ticker symbol, e.g. MSFT",
                    "pattern": "^[A-Z.]{1,10}$",
                },
                "currency": {
                    "type": "string",
                    "description": "ISO 4217 currency code for the price, e.g. USD",
                },
            },
            ["symbol"],
        ),
    ),
    FunctionTemplate(
        key="get_current_time",
        title="Current time in a time zone",
        name="get_current_time",
        description="Get the current date and time in an IANA time zone.",
        parameters=_object(
            {
                "timezone": {
                    "type": "string",
                    "description": "IANA time zone name, e.g. Europe/Berlin",
                }
            },
            ["timezone"],
        ),
    ),
    FunctionTemplate(
        key="convert_currency",
        title="Convert currency",
        name="convert_currency",
        description="Convert an amount of money from one currency to another.",
        parameters=_object(
            {
                "amount": {"type": "number", "minimum": 0},
                "from_currency": {"type": "string", "description": "ISO 4217 code, e.g. EUR"},
                "to_currency": {"type": "string", "description": "ISO 4217 code, e.g. JPY"},
            },
            ["amount", "from_currency", "to_currency"],
        ),
    ),
    FunctionTemplate(
        key="lookup_order",
        title="Look up an order",
        name="lookup_order",
        description="Find a customer's order and report its status and items.",
        parameters=_object(
            {
                "order_id": {"type": "string", "description": "The order number"},
                "include_items": {"type": "boolean", "default": False},
            },
            ["order_id"],
        ),
    ),
    FunctionTemplate(
        key="send_email",
        title="Send an email",
        name="send_email",
        description="Send an email message to one or more recipients.",
        parameters=_object(
            {
                "to": {
                    "type": "array",
                    "items": {"type": "string", "format": "email"},
                    "minItems": 1,
                },
                "subject": {"type": "string", "maxLength": 200},
                "body": {"type": "string"},
            },
            ["to", "subject", "body"],
        ),
    ),
    FunctionTemplate(
        key="no_arguments",
        title="No arguments",
        name="get_random_fact",
        description="Return a random interesting fact.",
        parameters=_object({}, []),
    ),
)


def template(key: str) -> FunctionTemplate:
    """The template with ``key``; KeyError names the keys that exist."""
    for item in TEMPLATES:
        if item.key == key:
            return item
    known = ", ".join(t.key for t in TEMPLATES)
    raise KeyError(f"No function template {key!r} (known: {known}).")
