"""Where evidence files are kept: a folder on this machine (the default) or an S3-compatible
object store that every machine shares (`EVIDENCE_STORAGE=s3`, docs/deploy.md).

Both are Django storages under the alias "evidence" (`STORAGES` in settings); the rest of the
app reaches the files only through the functions at the end of this module, by an item's
generated name, which is checked before the store is touched. Files are checked (type,
limits, malware) before they get here: nothing unscanned reaches either store.

Files are sealed as they are written (decision 0038, `audit/sealing_files.py`): AES-256-GCM
in 64 KiB chunks under the incident's data key, bound to the evidence row (`binding`), so
either store holds only ciphertext, and both sealing and opening hold one piece at a time.
`open_clear` reads a file as clear bytes, sealed or stored before sealing (no header);
`open_file` is the stored bytes as they are.
"""

import errno
import hashlib
import io
import re
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage, storages
from storages.backends.s3 import S3Storage
from storages.utils import clean_name

from audit import sealing, sealing_files
from core.exceptions import StorageFull

# Generated names only: anything else in the column is refused before the store is touched.
STORED_NAME = re.compile(r"^[0-9a-f]{32}\.bin$")
# Disks report a full store as one of these: the upload is refused with "try again", not a 500.
NO_SPACE = {errno.ENOSPC, errno.EDQUOT}
# Reads go out in pieces of this size: a download or a digest check holds one piece at a time.
CHUNK = 64 * 1024


class FolderStorage(FileSystemStorage):
    """`MEDIA_ROOT` on this machine (or a folder every machine mounts).

    Each file is written as `<name>.part` and renamed, so a half-written file is never
    served; the `.part` file is removed on every failure, and a full disk (or quota) is
    `StorageFull`, which pages answer with 503 "try again", keeping what was typed.
    """

    def _save(self, name: str, content: Any) -> str:
        path = Path(self.path(name))
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".part")
        try:
            with open(partial, "xb") as handle:
                for chunk in content.chunks():
                    handle.write(chunk)
            partial.replace(path)
        except BaseException as exc:
            partial.unlink(missing_ok=True)
            if isinstance(exc, OSError) and exc.errno in NO_SPACE:
                raise StorageFull("The evidence store is full.") from exc
            raise
        return name


class ObjectStorage(S3Storage):
    """A bucket of an S3-compatible store (AWS S3, MinIO, Ceph, a cloud's object storage).

    Objects are private: no ACL is sent, so they take the bucket's own (keep public access
    blocked on it), and every request is signed with the service's keys. An object appears
    whole or not at all, so nothing half-written is ever served. Reads stream: `open` returns
    the body of one GET, read a piece at a time, instead of django-storages' copy of the whole
    object in memory first.
    """

    def get_default_settings(self) -> dict[str, Any]:
        # Not settings a deployment chooses: private objects, signed requests, and a
        # generated name never written twice (a clash is refused, not an overwrite).
        chosen = {"default_acl": None, "querystring_auth": True, "file_overwrite": False}
        return {**super().get_default_settings(), **chosen}

    def _open(self, name: str, mode: str = "rb") -> File:
        if mode != "rb":
            return super()._open(name, mode)
        key = self._normalize_name(clean_name(name))
        try:
            answer = self.connection.meta.client.get_object(Bucket=self.bucket_name, Key=key)
        except ClientError as error:
            if error.response["ResponseMetadata"]["HTTPStatusCode"] == 404:
                raise FileNotFoundError(f"No object {key!r} in the evidence store") from error
            raise
        body = File(answer["Body"], name)
        body.size = answer["ContentLength"]
        return body


def store() -> Storage:
    return storages["evidence"]


def key(stored_name: str) -> str:
    """The file's name in the store; refuses any stored name the store did not generate."""
    if not STORED_NAME.fullmatch(stored_name):
        raise ValueError(f"not a generated evidence name: {stored_name!r}")
    return f"evidence/{stored_name}"


def binding(evidence_uuid: Any) -> str:
    """What a sealed file is bound to: its evidence row (a file moved to another row does not open)."""
    return f"evidence.evidence:{evidence_uuid}"


def put(stored_name: str, content: bytes, *, holder: sealing.KeyHolder, bound_to: str) -> None:
    """Store `content` sealed under `holder`'s data key, a piece at a time."""
    save(stored_name, sealing_files.sealed_reader(io.BytesIO(content), holder, bound_to))


def save(stored_name: str, reader: Any) -> None:
    """Write what `reader` gives (already sealed) under `stored_name`; never over another file."""
    name = store().save(key(stored_name), File(reader, key(stored_name)))
    if name != key(stored_name):  # the store chose another name: the one in the row would be wrong
        store().delete(name)
        raise FileExistsError(f"evidence {stored_name} is already in the store")


def open_file(stored_name: str) -> File:
    """The stored file as it is (sealed), to read in pieces (`FileNotFoundError` if missing); close it after."""
    return store().open(key(stored_name), "rb")


def open_clear(stored_name: str, bound_to: str) -> io.BufferedReader:
    """The file's clear bytes, to read in pieces; close it after.

    `FileNotFoundError` if it is missing, `sealing_files.KeyDestroyed` if its incident's key was
    destroyed, `sealing.SealingError` if it was changed (a damaged chunk: when it is read).
    """
    return sealing_files.opened(open_file(stored_name), bound_to)


def is_sealed(stored_name: str) -> bool:
    with open_file(stored_name) as handle:
        return sealing_files.is_sealed_file(handle)


def read(stored_name: str, bound_to: str) -> bytes:
    with open_clear(stored_name, bound_to) as handle:
        return bytes(handle.read())


def digest(stored_name: str, bound_to: str) -> str:
    """The SHA-256 of the file's clear bytes (what the custody log records), read a piece at a time."""
    with open_clear(stored_name, bound_to) as handle:
        return hash_of(handle)


def hash_of(handle: Any) -> str:
    sha256 = hashlib.sha256()
    while piece := handle.read(CHUNK):
        sha256.update(piece)
    return sha256.hexdigest()


def exists(stored_name: str) -> bool:
    return bool(store().exists(key(stored_name)))


def remove(stored_name: str) -> None:
    store().delete(key(stored_name))
