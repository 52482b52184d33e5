"""Several lists of different models in one query.

A page that shows many short lists (the incident page shows up to twenty: notes, messages,
evidence, actions, ...) would otherwise pay one round trip per list. `fetch_lists` asks for
them all at once: each list is one branch of a `UNION ALL`, each row comes back as a JSON
object of its fields (and of the related objects its queryset `select_related`s, and its
annotations), numbered in its queryset's own order, and is made back into a model instance
here. The instances are the ones the ORM would have given: the same field values and types,
with their related objects cached, so templates and methods read them as usual.
"""

import json
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from django.db import connection, models
from django.db.models import F, Func, Value
from django.db.models.expressions import OrderBy
from django.db.models.functions import JSONObject, RowNumber
from django.utils.dateparse import parse_date, parse_datetime

__all__ = ["fetch_lists"]


def fetch_lists(lists: dict[str, models.QuerySet[Any]]) -> dict[str, list[Any]]:
    """Evaluate every queryset of `lists` in one query; the rows of each, in its order.

    Each queryset may filter, order, `select_related` (any depth) and `annotate` with plain
    values; no `only`, `defer` or `distinct`.
    """
    found: dict[str, list[Any]] = {name: [] for name in lists}
    if not lists:
        return found
    branches = [_branch(name, queryset) for name, queryset in lists.items()]
    union = branches[0].union(*branches[1:], all=True) if len(branches) > 1 else branches[0]
    numbered = [(r["list_name"], r["list_position"], r["list_row"]) for r in union.order_by()]
    for name, _, row in sorted(numbered, key=lambda r: (r[0], r[1])):
        queryset = lists[name]
        data = json.loads(row) if isinstance(row, str) else row
        found[name].append(_instance(queryset.model, data, queryset.query.select_related, _annotations(queryset)))
    return found


def _annotations(queryset: models.QuerySet[Any]) -> list[str]:
    return list(queryset.query.annotations)


def _branch(name: str, queryset: models.QuerySet[Any]) -> models.QuerySet[Any]:
    ordering = list(queryset.query.order_by or queryset.model._meta.ordering or ["pk"])
    row = _row(queryset.model, "", queryset.query.select_related, _annotations(queryset))
    return (
        queryset.order_by()
        .annotate(
            list_name=Value(name, output_field=models.CharField()),
            list_position=models.Window(RowNumber(), order_by=[_order(o) for o in ordering]),
            list_row=row,
        )
        .values("list_name", "list_position", "list_row")
    )


def _order(term: Any) -> Any:
    if isinstance(term, OrderBy) or hasattr(term, "resolve_expression"):
        return term
    return F(term[1:]).desc() if term.startswith("-") else F(term).asc()


class _Embedded(Func):
    """A JSON column inside a JSON object: as JSON, not as a string holding JSON (SQLite)."""

    function = "JSON"
    output_field = models.JSONField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return compiler.compile(self.source_expressions[0])


def _row(model: type[models.Model], prefix: str, related: Any, annotations: list[str]) -> JSONObject:
    fields: dict[str, Any] = {}
    for field in model._meta.concrete_fields:
        value = F(f"{prefix}{field.attname}")
        fields[field.attname] = _Embedded(value) if isinstance(field, models.JSONField) else value
    for name in annotations:
        fields[f"+{name}"] = F(name)
    if isinstance(related, dict):
        for name, deeper in related.items():
            target = model._meta.get_field(name).related_model
            fields[f">{name}"] = _row(target, f"{prefix}{name}__", deeper, [])  # type: ignore[arg-type]
    # PostgreSQL takes at most 100 arguments to a function (50 keys and values): a wide row is
    # sent as several objects, put back together by `_flat`.
    keys = list(fields)
    chunks = [keys[i : i + CHUNK] for i in range(0, len(keys), CHUNK)]
    if len(chunks) == 1:
        return JSONObject(**fields)
    return JSONObject(**{f"~{n}": JSONObject(**{k: fields[k] for k in chunk}) for n, chunk in enumerate(chunks)})


CHUNK = 40


def _flat(data: dict[str, Any]) -> dict[str, Any]:
    if not any(key.startswith("~") for key in data):
        return data
    return {key: value for part in data.values() for key, value in part.items()}


def _instance(model: type[models.Model], data: dict[str, Any], related: Any, annotations: list[str]) -> Any:
    data = _flat(data)
    fields = model._meta.concrete_fields
    instance = model.from_db(
        connection.alias, [f.attname for f in fields], [_value(f, data.get(f.attname)) for f in fields]
    )
    for name in annotations:
        setattr(instance, name, data.get(f"+{name}"))
    if isinstance(related, dict):
        for name, deeper in related.items():
            field = model._meta.get_field(name)
            nested = _flat(data.get(f">{name}") or {})
            target = field.related_model
            pk = nested.get(target._meta.pk.attname)  # type: ignore[union-attr]
            other = None if pk is None else _instance(target, nested, deeper, [])  # type: ignore[arg-type]
            field.set_cached_value(instance, other)  # type: ignore[union-attr]
    return instance


def _value(field: models.Field, raw: Any) -> Any:
    """A JSON value back into what the field holds (dates come as text, booleans maybe as 0/1)."""
    if raw is None:
        return None
    if isinstance(field, models.DateTimeField):
        moment = raw if isinstance(raw, datetime) else parse_datetime(str(raw).replace(" ", "T"))
        return moment if moment is None or moment.tzinfo else moment.replace(tzinfo=UTC)
    if isinstance(field, models.DateField):
        return parse_date(str(raw)[:10])
    if isinstance(field, models.UUIDField):
        return raw if isinstance(raw, uuid.UUID) else uuid.UUID(str(raw))
    if isinstance(field, models.BooleanField):
        return bool(raw)
    if isinstance(field, models.DecimalField):
        return Decimal(str(raw))
    if isinstance(field, (models.DurationField, models.TimeField, models.BinaryField)):
        raise TypeError(f"fetch_lists does not read {type(field).__name__} ({field})")
    return raw
