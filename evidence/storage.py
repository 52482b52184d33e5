"""Where evidence files are kept: a folder on this machine (the default) or an S3-compatible
object store that every machine shares (`EVIDENCE_STORAGE=s3`, docs/deploy.md).

Both are Django storages under the alias "evidence" (`STORAGES` in settings); the rest of the
app reaches the files only through the functions at the end of this module, by an item's
generated name, which is checked before the store is touched. Files are checked (type,
limits, malware) before they get here: nothing unscanned reaches either store.
"""

import errno
import hashlib
import re
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage, storages
from storages.backends.s3 import S3Storage
from storages.utils import clean_name

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


def put(stored_name: str, content: bytes) -> None:
    name = store().save(key(stored_name), ContentFile(content))
    if name != key(stored_name):  # the store chose another name: the one in the row would be wrong
        store().delete(name)
        raise FileExistsError(f"evidence {stored_name} is already in the store")


def open_file(stored_name: str) -> File:
    """The stored file, to read in pieces (`FileNotFoundError` if it is missing); close it after."""
    return store().open(key(stored_name), "rb")


def read(stored_name: str) -> bytes:
    with open_file(stored_name) as handle:
        return bytes(handle.read())


def digest(stored_name: str) -> str:
    """The stored file's SHA-256, read a piece at a time."""
    sha256 = hashlib.sha256()
    with open_file(stored_name) as handle:
        while piece := handle.read(CHUNK):
            sha256.update(piece)
    return sha256.hexdigest()


def exists(stored_name: str) -> bool:
    return bool(store().exists(key(stored_name)))


def remove(stored_name: str) -> None:
    store().delete(key(stored_name))
