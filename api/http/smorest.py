"""flask-smorest customised once: strict query parsing, problem+json errors, spec tweaks."""

from __future__ import annotations

import http
import threading
from collections import OrderedDict
from typing import Any, ClassVar, NoReturn

import flask_smorest
import marshmallow as ma
import orjson
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Request
from flask_smorest.utils import prepare_response
from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request

from api.errors import ClientError
from api.http.problems import PROBLEM_MIMETYPE, problem_from_http_exception
from schemas.common import ProblemSchema
from schemas.writes import FuzzyDateInputSchema

UNKNOWN_FIELD = "Unknown field."
BEARER_SCHEME = "bearerAuth"
# No write body nests deeper than a few levels; a limit far above that keeps every later step
# (validation, the NUL scan) well inside Python's recursion limit.
MAX_JSON_DEPTH = 32
# the key of an error about the body as a whole (JSONPath's root): "body" is an article field
ROOT = "$"
# distinct query strings whose parsed arguments are kept (per process, least recently used out)
PARSED_QUERIES = 4096


def _body_problem(data: Any) -> str | None:
    """Why a parsed JSON body cannot be stored (too deep, a NUL in a string), or None.

    PostgreSQL text cannot hold U+0000 and SQLite would keep it silently: refused on both.
    Walked without recursion, so any depth orjson accepts is safe here.
    """
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth > MAX_JSON_DEPTH:
                return f"The JSON body nests more than {MAX_JSON_DEPTH} levels."
            children = [*value.keys(), *value.values()] if isinstance(value, dict) else value
            stack.extend((child, depth + 1) for child in children)
        elif isinstance(value, str) and "\x00" in value:
            return "A JSON string contains U+0000 (NUL), which is never accepted."
    return None


class StrictParser(FlaskParser):
    """Unknown query parameters are errors, and every parsing error is a 400 naming them."""

    DEFAULT_VALIDATION_STATUS = 400
    DEFAULT_UNKNOWN_BY_LOCATION: ClassVar[dict[str, str | None]] = {
        **FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION,
        "query": ma.RAISE,
        "json": ma.RAISE,
    }

    def pre_load(self, location_data: Any, *, schema: ma.Schema, req: Request, location: str) -> Any:
        """A parameter that takes one value must be given once: a repeat is a 400, not ignored."""
        if location == "query":
            repeated = {
                name: ["Give this parameter once; it takes a single value."]
                for name in req.args
                if len(req.args.getlist(name)) > 1
                and name in schema.fields
                and not isinstance(schema.fields[name], ma.fields.List)
            }
            if repeated:
                raise ma.ValidationError(repeated)
        return super().pre_load(location_data, schema=schema, req=req, location=location)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._parsed: OrderedDict[tuple[int, bytes], dict[str, Any]] = OrderedDict()
        self._parsed_lock = threading.Lock()

    def parse(
        self, argmap: Any, req: Request | None = None, *, location: str | None = None, **kwargs: Any
    ) -> Any:
        """Query arguments are a function of the query string alone (the schemas read nothing
        else: no clock, no configuration): each distinct query string is parsed once per schema
        and reused, so a list read again does not run webargs and marshmallow again. Refusals
        are not kept: they raise each time. The caller gets its own copy of the arguments."""
        req = req or self.get_default_request()
        if location != "query" or req is None:
            return super().parse(argmap, req, location=location, **kwargs)
        key = (id(argmap), req.query_string)
        with self._parsed_lock:
            parsed = self._parsed.get(key)
            if parsed is not None:
                self._parsed.move_to_end(key)
        if parsed is None:
            parsed = super().parse(argmap, req, location=location, **kwargs)
            with self._parsed_lock:
                self._parsed[key] = parsed
                if len(self._parsed) > PARSED_QUERIES:
                    self._parsed.popitem(last=False)
        return {name: list(value) if isinstance(value, list) else value for name, value in parsed.items()}

    def _raw_load_json(self, req: Request) -> Any:
        """The body parsed by orjson, which refuses what the standard library lets through to a
        500 later: nesting past 1,024 levels, numbers beyond a double, lone surrogates."""
        if not is_json_request(req):
            return core.missing
        raw = req.get_data(cache=True)
        if not raw:  # no body at all (as webargs: "missing"); whitespace alone is invalid JSON
            return core.missing
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError as error:
            problem = f"The body is not valid JSON ({error})."
            raise ClientError(400, f"Invalid request: {problem}", errors={"json": [problem]}) from None
        problem = _body_problem(data)
        if problem:
            raise ClientError(400, f"Invalid request: {problem}", errors={"json": [problem]})
        return data

    def handle_error(
        self,
        error: ma.ValidationError,
        req: Request,
        schema: ma.Schema,
        *,
        error_status_code: int | None,
        error_headers: Any,
    ) -> NoReturn:
        messages = error.messages if isinstance(error.messages, dict) else {"_": error.messages}
        location = next(iter(messages)) if len(messages) == 1 else None
        per_field = messages[location] if location in ("query", "json", "path") else messages
        allowed = sorted(f.data_key or name for name, f in schema.fields.items())
        errors: dict[str, list[str]] = {}
        if location == "json":
            unknown = f"Unknown or read-only field. Writable: {', '.join(allowed)}."
            for name, problems in _by_path(per_field).items():
                # an unknown field inside a nested object is named by its path, not by this list
                top_level = "." not in name
                errors[name] = [unknown if p == UNKNOWN_FIELD and top_level else p for p in problems]
        else:
            unknown = f"Unknown parameter. Allowed: {', '.join(allowed)}."
            for name, problems in per_field.items():
                errors[str(name)] = [unknown if p == UNKNOWN_FIELD else p for p in _flatten(problems)]
        what = "body field" if location == "json" else "parameter"
        detail = "; ".join(f"{what} '{name}': {' '.join(msgs)}" for name, msgs in errors.items())
        raise ClientError(
            error_status_code or self.DEFAULT_VALIDATION_STATUS,
            f"Invalid request: {detail}",
            errors=errors,
            headers=error_headers,
        )


def _flatten(problems: Any) -> list[str]:
    """Messages as plain strings; a repeated parameter's per-value messages name the value."""
    if isinstance(problems, dict):
        return [
            f"value {int(index) + 1}: {message}" if _is_index(index) else f"{index}: {message}"
            for index, msgs in problems.items()
            for message in _flatten(msgs)
        ]
    if isinstance(problems, list):
        return [message for item in problems for message in _flatten(item)]
    return [str(problems)]


def _append_manual_parameters(doc: dict[str, Any], doc_info: dict[str, Any], **_: Any) -> dict[str, Any]:
    """``blp.doc(parameters=[…])`` adds to the parameters ``arguments`` documents.

    flask-smorest merges manual docs last and a list replaces a list, so a header given with
    ``blp.doc`` used to hide the query parameters of the same operation (``extract`` of
    ``POST /v1/articles``). Taken out of the manual doc here, it is appended instead.
    """
    parameters = doc_info.get("manual_doc", {}).pop("parameters", None)
    if parameters:
        doc["parameters"] = [*doc.get("parameters", []), *parameters]
    return doc


def _is_index(key: Any) -> bool:
    return isinstance(key, int) or (isinstance(key, str) and key.isdigit())


def _by_path(problems: Any, path: str = "") -> dict[str, list[str]]:
    """Nested marshmallow messages keyed by the dotted path of the field (``aliases.0.language``).

    ``_schema`` (an error about a whole nested object, e.g. a string where an object belongs)
    is reported at the path of that object, and at ``$`` for the body itself.
    """
    if isinstance(problems, dict):
        found: dict[str, list[str]] = {}
        for key, nested in problems.items():
            inner = path if key == ma.exceptions.SCHEMA else f"{path}.{key}" if path else str(key)
            for name, messages in _by_path(nested, inner or ROOT).items():
                found.setdefault(name, []).extend(messages)
        return found
    if isinstance(problems, list) and any(isinstance(item, dict | list) for item in problems):
        found = {}
        for item in problems:
            for name, messages in _by_path(item, path).items():
                found.setdefault(name, []).extend(messages)
        return found
    messages = problems if isinstance(problems, list) else [problems]
    return {path or ROOT: [str(message) for message in messages]}


class Blueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = StrictParser()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._prepare_doc_cbks.append(_append_manual_parameters)

    def arguments(self, schema: Any, **kwargs: Any) -> Any:
        """As flask-smorest's, with a schema class instantiated once here: webargs would build an
        instance (deep-copying every field) on each request."""
        return super().arguments(schema() if isinstance(schema, type) else schema, **kwargs)


def expandable_property(self: Any, field: ma.fields.Field, **_: Any) -> dict[str, Any]:
    """apispec attribute function: an Expandable field is an id string or the expanded object."""
    target = getattr(field, "expands_to", None)
    if target is None:
        return {}
    # OpenAPI 3.0: a null must satisfy one alternative of oneOf, not just the outer nullable
    id_string = {"type": "string", "nullable": True} if field.allow_none else {"type": "string"}
    return {"oneOf": [id_string, self.resolve_nested_schema(target)]}


def fuzzy_date_property(self: Any, field: ma.fields.Field, **_: Any) -> dict[str, Any]:
    """apispec attribute function: a written fuzzy date is the shorthand string or the object."""
    pattern = getattr(field, "shorthand_pattern", None)
    if pattern is None:
        return {}
    shorthand = {
        "type": "string",
        "pattern": pattern,
        "description": "YYYY, YYYY-MM or YYYY-MM-DD; the precision is the shape.",
        "example": "2025-03-13",
    }
    if field.allow_none:
        shorthand["nullable"] = True
    return {"oneOf": [shorthand, self.resolve_nested_schema(FuzzyDateInputSchema)]}


class StrictMarshmallowPlugin(MarshmallowPlugin):
    """Object schemas forbid unknown properties, as our schemas do.

    apispec leaves ``additionalProperties`` out when a schema has a description.
    """

    def schema_helper(self, name: str, _: Any, schema: Any = None, **kwargs: Any) -> dict[str, Any] | None:
        definition = super().schema_helper(name, _, schema=schema, **kwargs)
        if definition and definition.get("type") == "object":
            definition.setdefault("additionalProperties", False)
        return definition


class Api(flask_smorest.Api):
    ERROR_SCHEMA = ProblemSchema

    def _init_spec(self, *args: Any, **kwargs: Any) -> None:
        kwargs["marshmallow_plugin"] = StrictMarshmallowPlugin()
        super()._init_spec(*args, **kwargs)
        self.ma_plugin.converter.add_attribute_function(expandable_property)
        self.ma_plugin.converter.add_attribute_function(fuzzy_date_property)
        # writes declare it (api.views.item_support.WRITE_SECURITY): Swagger UI then offers Authorize
        self.spec.components.security_scheme(
            BEARER_SCHEME,
            {
                "type": "http",
                "scheme": "bearer",
                "bearerFormat": "vk_<id>_<secret>",
                "description": "An API key made by `flask keys create`, sent as `Authorization: Bearer <key>`. "
                "Reads need none; writes need the `write` scope, restores `admin`.",
            },
        )

    def handle_http_exception(self, error):  # type: ignore[no-untyped-def]
        return problem_from_http_exception(error)

    def _register_pagination_header(self) -> None:
        """Our lists carry paging state in the body and a Link header, not X-Pagination."""

    def _register_responses(self) -> None:
        """Document every error response as application/problem+json."""
        for status in http.HTTPStatus:
            response: dict[str, Any] = {"description": status.phrase}
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM_MIMETYPE)
            self.spec.components.response(status.name, response, lazy=True)
        default = {"description": "Default error response", "schema": self.ERROR_SCHEMA}
        prepare_response(default, self.spec, PROBLEM_MIMETYPE)
        self.spec.components.response("DEFAULT_ERROR", default, lazy=True)
