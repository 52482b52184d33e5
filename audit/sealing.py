"""Content sealed at rest: a data key per case, wrapped by a master key outside the database.

Decision 0038. A case (an incident) holds its own random 256-bit data key, wrapped with
AES-GCM under a master key from `CONTENT_KEYS_FILE` (a key ring of the same shape as the
record's, `audit/keys.py`), in its `content_key` column ("<master key id>:<nonce and wrapped
key, base64>"; "" once destroyed), named by its `uuid` (random, never reused). Every sealed
value names the data key it was sealed with, so it can be opened wherever it is read, and
destroying one incident's key makes every copy of its content unreadable at once, the copies
inside the append-only record included.

A sealed value is text: `sealed:1:<data key id>:<nonce, ciphertext and tag, base64>`, sealed
with AES-256-GCM with the table and column (or "audit_event.content") and the data key id
as associated data, so a value cannot be moved to another column or another incident.

Fields: `SealedTextField`, `SealedCharField` and `SealedJSONField` seal as they are saved
(`pre_save`, which sees the row and so its incident) and refuse to write clear text any other
way (`get_prep_value`: a queryset `update()` or `bulk_update()` of clear text is an error, not
a leak). A sealed value is opened the first time it is read from its row (`SealedAttribute`):
pages and forms see clear text, a list pays only for what it shows, and `values()` sees what
is stored (open it with `open_text`). Data keys are unwrapped once and kept in a small cache emptied at the start
and end of each request, and when a key is destroyed.
"""

import base64
import contextlib
import contextvars
import hashlib
import hmac
import json
import os
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache as _memo
from pathlib import Path
from typing import Any, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import models, transaction
from django.db.models.query_utils import DeferredAttribute

from . import keys

PREFIX = "sealed:1:"
DESTROYED = ""
CACHE_SIZE = 4096
_WRAP_INFO = b"incident desk: wrapping data keys"
_SEARCH_INFO = b"incident desk: blind search words"


class KeyHolder(Protocol):
    """What a case gives: its data key's id and the key, wrapped."""

    uuid: Any
    content_key: str | None


class SealingError(Exception):
    """A sealed value could not be opened: damaged, moved, or its master key is missing."""


def keys_path() -> Path:
    return Path(settings.CONTENT_KEYS_FILE)


def ring() -> keys.KeyRing:
    return keys.load(keys_path(), command="rotate_content_keys")


@_memo
def _derive(secret: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(secret)


def _master(kid: str) -> AESGCM:
    try:
        secret = ring().keys[kid]
    except KeyError:
        raise SealingError(f"the content keys file has no master key {kid!r}") from None
    return _wrapping(secret)


@_memo
def _wrapping(secret: bytes) -> AESGCM:
    # Made once a master key: a list page unwraps one data key a row.
    return AESGCM(_derive(secret, _WRAP_INFO))


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def new_wrapped_key() -> str:
    """A fresh data key wrapped under the current master key (a case's `content_key` default)."""
    current = ring().current
    nonce = os.urandom(12)
    return f"{current}:{_b64(nonce + _master(current).encrypt(nonce, AESGCM.generate_key(256), _WRAP_INFO))}"


def unwrap(wrapped: str) -> bytes:
    kid, _, body = wrapped.partition(":")
    raw = base64.b64decode(body)
    try:
        return _master(kid).decrypt(raw[:12], raw[12:], _WRAP_INFO)
    except InvalidTag:
        raise SealingError("a data key does not open with its master key (damaged or wrong keys file)") from None


def rewrapped(wrapped: str) -> str | None:
    """`wrapped` wrapped again under the current master key; None if it already is, or is destroyed."""
    current = ring().current
    if wrapped == DESTROYED or wrapped.partition(":")[0] == current:
        return None
    nonce = os.urandom(12)
    return f"{current}:{_b64(nonce + _master(current).encrypt(nonce, unwrap(wrapped), _WRAP_INFO))}"


@dataclass
class Rewrapped:
    """What one pass of `rewrap_all` did."""

    rewrapped: int = 0
    changed_meanwhile: int = 0  # rewrapped by another run, or destroyed by a disposal, as we went


def rewrap_all(model: type[models.Model], *, batch_size: int = 500) -> Rewrapped:
    """Wrap every data key of `model`'s rows (a `content_key` column) under the current master key.

    Safe while the service runs and to run again: rows are read in batches by primary key,
    and each is written with a compare-and-swap (`UPDATE ... WHERE id = x AND content_key =
    old`), so a key destroyed or rewrapped meanwhile is left as it now is. The data keys do
    not change, so nothing sealed with them is touched and no cache goes stale.
    """
    current = ring().current
    done = Rewrapped()
    rows = model._base_manager.exclude(content_key__startswith=f"{current}:").exclude(content_key=DESTROYED)
    rows = rows.exclude(content_key__isnull=True).order_by("pk")
    last: Any = None
    while True:
        batch = list((rows if last is None else rows.filter(pk__gt=last)).values_list("pk", "content_key")[:batch_size])
        if not batch:
            return done
        with transaction.atomic():
            for pk, old in batch:
                new = rewrapped(old)
                if new is None:
                    continue
                if model._base_manager.filter(pk=pk, content_key=old).update(content_key=new):
                    done.rewrapped += 1
                else:
                    done.changed_meanwhile += 1
        last = batch[-1][0]


def master_keys_in_use(model: type[models.Model]) -> set[str]:
    """The ids of the master keys that wrap at least one of `model`'s data keys."""
    used = set()
    for kid in ring().keys:
        if model._base_manager.filter(content_key__startswith=f"{kid}:").exists():
            used.add(kid)
    return used


# The data keys unwrapped in this process: id -> key, or None once destroyed.
_cache: OrderedDict[str, bytes | None] = OrderedDict()
# How a data key is found from its id when it is not in the cache (set by the incidents app).
_lookup: list[Callable[[str], str | None]] = []


def set_key_lookup(lookup: Callable[[str], str | None]) -> None:
    """Register how the wrapped key of a data key id is read (None: no such case)."""
    _lookup[:] = [lookup]


def _remember(key_id: str, key: bytes | None) -> None:
    _cache[key_id] = key
    _cache.move_to_end(key_id)
    while len(_cache) > CACHE_SIZE:
        _cache.popitem(last=False)


def clear_cache(**_: Any) -> None:
    _cache.clear()


def forget(key_id: Any) -> None:
    _cache.pop(str(key_id), None)


def data_key(holder: KeyHolder) -> tuple[str, bytes]:
    """The case's data key and its id, to seal with (SealingError once destroyed)."""
    return _key_of(holder)


def data_key_by_id(key_id: str) -> bytes | None:
    """The data key named `key_id`, to open with; None once it was destroyed (or never existed)."""
    return _key_by_id(key_id)


def _key_of(holder: KeyHolder) -> tuple[str, bytes]:
    key_id = str(holder.uuid)
    if key_id in _cache and _cache[key_id] is not None:
        return key_id, _cache[key_id]  # type: ignore[return-value]
    if not holder.content_key:
        raise SealingError("this incident's data key was destroyed: nothing more can be sealed for it")
    key = unwrap(holder.content_key)
    _remember(key_id, key)
    return key_id, key


def _key_by_id(key_id: str) -> bytes | None:
    if key_id in _cache:
        _cache.move_to_end(key_id)
        return _cache[key_id]
    wrapped = _lookup[0](key_id) if _lookup else None
    key = unwrap(wrapped) if wrapped else None
    _remember(key_id, key)
    return key


def remember(holder: KeyHolder) -> None:
    """A case was read with its key: keep the key at hand for its children's values."""
    key_id = str(holder.uuid)
    if key_id not in _cache and holder.content_key is not None:
        _remember(key_id, unwrap(holder.content_key) if holder.content_key else None)


def is_sealed(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


def seal(text: str, holder: KeyHolder, where: str) -> str:
    key_id, key = _key_of(holder)
    nonce = os.urandom(12)
    sealed = AESGCM(key).encrypt(nonce, text.encode(), f"{where}|{key_id}".encode())
    return f"{PREFIX}{key_id}:{_b64(nonce + sealed)}"


def open_text(token: Any, where: str) -> Any:
    """The clear text of a sealed value; None if its key was destroyed; anything else as it is."""
    if not is_sealed(token):
        return token
    key_id, _, body = token[len(PREFIX) :].partition(":")
    key = _key_by_id(key_id)
    if key is None:
        return None
    raw = base64.b64decode(body)
    try:
        return AESGCM(key).decrypt(raw[:12], raw[12:], f"{where}|{key_id}".encode()).decode()
    except InvalidTag:
        raise SealingError(f"a sealed value in {where} does not open: it was changed or moved") from None


# --- blind words for the search index -------------------------------------------------------


@_memo
def _search_key(secret: bytes) -> bytes:
    return _derive(secret, _SEARCH_INFO)


def blinder() -> Callable[[str], str]:
    """A keyed digest of normalised words: the same word always gives the same opaque word of
    13 letters and digits (64 bits, base32).

    Keyed by the oldest master key, which rotation keeps, so the index stays valid after a
    rotation (changing the search key means rebuilding the index).
    """
    ring_now = ring()
    key = _search_key(ring_now.keys[min(ring_now.keys)])

    def blind(word: str) -> str:
        digest = hmac.new(key, word.encode(), hashlib.sha256).digest()[:8]
        return base64.b32encode(digest).decode().rstrip("=").lower()

    return blind


def blind(word: str) -> str:
    return blinder()(word)


# --- reading without opening ----------------------------------------------------------------

_opening = contextvars.ContextVar("opening", default=True)


@contextlib.contextmanager
def as_stored() -> Iterator[None]:
    """Read rows without opening them (the record's verification needs no data key)."""
    token = _opening.set(False)
    try:
        yield
    finally:
        _opening.reset(token)


def opening() -> bool:
    return _opening.get()


# --- fields ---------------------------------------------------------------------------------


class SealedAttribute(DeferredAttribute):
    """Opens a sealed value the first time it is read from the row (not as the row is read: by
    then a list's related incident, which carries the key, has been attached).
    """

    def __get__(self, instance: Any, cls: Any = None) -> Any:
        value = super().__get__(instance, cls)
        if instance is None or not is_sealed(value) or not opening():
            return value
        field: Any = self.field
        holder = instance
        for name in field.key_from.split(".") if field.key_from else []:
            holder = holder._state.fields_cache.get(name) if holder is not None else None
        if holder is not None and "content_key" in holder.__dict__ and "uuid" in holder.__dict__:
            remember(holder)
        opened = field.open(value)
        instance.__dict__[field.attname] = opened
        return opened

    def __set__(self, instance: Any, value: Any) -> None:
        # A data descriptor, so reading goes through __get__ even once the row's value is set.
        instance.__dict__[self.field.attname] = value


class _Sealed:
    """Seals as the row is saved; refuses clear text written any other way."""

    key_from: str
    descriptor_class: Any = SealedAttribute

    def _init_sealed(self, kwargs: dict[str, Any]) -> None:
        self.key_from = kwargs.pop("key_from", "")

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()  # type: ignore[misc]
        if self.key_from:
            kwargs["key_from"] = self.key_from
        return name, path, args, kwargs

    def db_type(self, connection: Any) -> Any:
        return models.TextField().db_type(connection)

    def where(self) -> str:
        return f"{self.model._meta.db_table}.{self.column}"  # type: ignore[attr-defined]

    def holder(self, instance: Any) -> KeyHolder:
        for name in self.key_from.split(".") if self.key_from else []:
            instance = getattr(instance, name)
        return instance

    def pre_save(self, model_instance: Any, add: bool) -> Any:
        value = model_instance.__dict__.get(self.attname)  # type: ignore[attr-defined]
        if value in (None, "", [], {}) or is_sealed(value):
            return value
        return seal(self.to_text(value), self.holder(model_instance), self.where())

    def get_lookup(self, lookup_name: str) -> Any:
        # Only "is it empty" and "is it this sealed value" mean anything on a sealed column: a
        # contains or a comparison would silently match nothing, so it is refused.
        if lookup_name not in ("exact", "isnull", "in"):
            raise ValueError(f"{self.where()} is sealed: it cannot be searched with {lookup_name!r} in SQL")
        return super().get_lookup(lookup_name)  # type: ignore[misc]

    def get_transform(self, name: str) -> Any:
        raise ValueError(f"{self.where()} is sealed: it cannot be read by {name!r} in SQL")

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)  # type: ignore[misc]
        if value not in (None, "", [], {}) and not is_sealed(value) and not isinstance(value, models.Expression):
            raise ValueError(
                f"{self.where()} is sealed: save the row (which seals it), never update() or filter it by clear text"
            )
        return value

    def open(self, stored: Any) -> Any:
        opened = open_text(stored, self.where())
        if opened is None:
            return self.destroyed_value()
        return self.from_text(opened) if is_sealed(stored) else stored

    def to_text(self, value: Any) -> str:
        return str(value)

    def from_text(self, text: str) -> Any:
        return text

    def destroyed_value(self) -> Any:
        return ""


class SealedTextField(_Sealed, models.TextField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._init_sealed(kwargs)
        super().__init__(*args, **kwargs)


class SealedCharField(_Sealed, models.CharField):
    """A CharField in forms (its max_length checked there); text in the database (sealed is longer)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._init_sealed(kwargs)
        super().__init__(*args, **kwargs)

    def _check_db_max_length(self, *args: Any, **kwargs: Any) -> list[Any]:
        return []


class SealedJSONField(_Sealed, models.JSONField):
    """JSON sealed as one value: stored as a JSON string holding the sealed text."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._init_sealed(kwargs)
        super().__init__(*args, **kwargs)

    def db_type(self, connection: Any) -> Any:
        return models.JSONField.db_type(self, connection)

    def get_prep_value(self, value: Any) -> Any:
        if value not in (None, "", [], {}) and not is_sealed(value) and not isinstance(value, models.Expression):
            raise ValueError(f"{self.where()} is sealed: save the row (which seals it)")
        return models.JSONField.get_prep_value(self, value)

    def to_text(self, value: Any) -> str:
        return json.dumps(value, sort_keys=True, cls=self.encoder)

    def from_text(self, text: str) -> Any:
        return json.loads(text, cls=self.decoder)

    def destroyed_value(self) -> Any:
        return self.get_default()


@_memo
def _sealed_fields(model: type[models.Model]) -> tuple[tuple[str, Any], ...]:
    return tuple((f.attname, f) for f in model._meta.concrete_fields if isinstance(f, _Sealed))


def open_values(model: type[models.Model], values: dict[str, Any]) -> dict[str, Any]:
    """Open, in place, the sealed values of one row of `model` read with `values()`: with the row's
    own key when "uuid" and "content_key" were read too (no query), else by the key's id. Only the
    model's sealed columns are looked at, and the key is unwrapped only if one of them was read
    (a row of the monitoring log reads none: an export pays nothing for sealing)."""
    keyed = False
    for name, field in _sealed_fields(model):
        value = values.get(name)
        if not is_sealed(value):
            continue
        if not keyed:
            keyed = True
            if values.get("content_key") is not None and values.get("uuid") is not None:
                remember(Holder(values["uuid"], values["content_key"]))
        values[name] = field.open(value)
    return values


class Holder:
    """A case's key read as plain values (a `values()` row, a migration's historical row)."""

    def __init__(self, uuid: Any, content_key: str | None) -> None:
        self.uuid, self.content_key = uuid, content_key


class SealedModel(models.Model):
    """A model with sealed fields (opened as they are read, `SealedAttribute`)."""

    class Meta:
        abstract = True
