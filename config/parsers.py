"""What the API accepts as a request body, and how it renders text it already holds.

Request bodies are JSON (multipart only on the views that take a file, which name their own parsers).
A JSON body is refused with 400 `invalid_json` when it does not parse or nests deeper than
API_MAX_JSON_DEPTH, and with 400 `invalid_text` when any string in it (key or value) holds a lone
surrogate or a NUL: such text cannot be stored (PostgreSQL refuses both) or sent back as UTF-8, so it
is refused before any serializer or service sees it.

Text that reached storage before this check (an encrypted questionnaire answer, a JSON field) still
renders: the JSON renderer replaces what cannot be encoded with U+FFFD instead of failing.
"""

from __future__ import annotations

import codecs
import json

from django.conf import settings
from rest_framework import exceptions, parsers, renderers

from config.text import scrub_unencodable, unstorable_text_message


def check_json_value(data, *, max_depth: int) -> None:
    """Refuse nesting deeper than max_depth and text that cannot be stored; iterative, so any depth is safe."""
    stack = [(data, 1, "")]
    while stack:
        value, depth, path = stack.pop()
        if depth > max_depth:
            raise exceptions.ParseError(
                f"The JSON body nests deeper than {max_depth} levels.", code="invalid_json"
            )
        if isinstance(value, dict):
            for key, item in value.items():
                _check_text(key, path or "non_field_errors")
                stack.append((item, depth + 1, path or key))
        elif isinstance(value, list):
            stack.extend((item, depth + 1, path) for item in value)
        elif isinstance(value, str):
            _check_text(value, path or "non_field_errors")


def _check_text(text: str, field: str) -> None:
    message = unstorable_text_message(text)
    if message is not None:
        raise exceptions.ValidationError({field: [message]}, code="invalid_text")


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with a depth limit and the text check; every refusal is a 400 in the error shape."""

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            data = json.load(codecs.getreader(encoding)(stream), parse_constant=_refuse_constant)
        except RecursionError:
            raise exceptions.ParseError(
                f"The JSON body nests deeper than {settings.API_MAX_JSON_DEPTH} levels.", code="invalid_json"
            ) from None
        except ValueError as exc:
            raise exceptions.ParseError(f"The body is not valid JSON: {exc}", code="invalid_json") from None
        check_json_value(data, max_depth=settings.API_MAX_JSON_DEPTH)
        return data


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


class JSONRenderer(renderers.JSONRenderer):
    """DRF's JSON renderer, which still answers when a stored value holds a lone surrogate."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        try:
            return super().render(data, accepted_media_type, renderer_context)
        except UnicodeEncodeError:
            return super().render(scrub_unencodable(data), accepted_media_type, renderer_context)
