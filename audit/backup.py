"""Backup and restore: the database, the evidence store, the record's keys and the content keys,
in one archive.

Here, beside the keys and checkpoints, because a copy is only worth keeping if the record in
it can still be proved: without the keys file the chains cannot be verified, without the
evidence files their digests mean nothing, and without the content keys file (decision
0038) no incident's content or evidence file can be opened. It reads the database by engine and files by
path; it imports no domain app. Decision: docs/decisions/0017-backup-and-restore.md.
"""

import contextlib
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections
from django.utils.crypto import salted_hmac

from . import checkpoint, keys, sealing
from .verify import Report, verify_all

FORMAT = 1
MANIFEST = "manifest.json"
KEYS_NAME = "record-keys.json"
CONTENT_KEYS_NAME = "content-keys.json"
CHECKPOINT_NAME = "record-checkpoint.json"
FILES_DIR = "files"


class BackupError(Exception):
    """A backup or restore that cannot go ahead, in words for the operator."""


@dataclass
class Restored:
    files: int
    other_files_left: int
    keys_added: int
    content_keys_added: int
    previous_checkpoint: Path | None
    report: Report
    # What the apps' after-restore steps said they did (the retention ledger's replay).
    after: list[str] = field(default_factory=list)


# Steps other apps need after the database and files are back and before the record is checked:
# the retention app disposes again of every incident its ledger (kept outside the archive) says
# was disposed of since the backup was made. Each returns a line for the operator. Registered
# from the app's `ready()`, so this module imports no domain app.
AfterRestore = Callable[[], str]
_after_restore: list[AfterRestore] = []


def add_after_restore(step: AfterRestore) -> None:
    if step not in _after_restore:
        _after_restore.append(step)


def secret_key_fingerprint() -> str:
    """Shows whether two installations share SECRET_KEY (receipts depend on it) without revealing it."""
    return salted_hmac("incidentdesk.backup.fingerprint", "secret-key", algorithm="sha256").hexdigest()[:16]


def _sha256(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _database() -> tuple[Any, dict[str, Any]]:
    connection = connections["default"]
    return connection, connection.settings_dict


def _pg_args(conf: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    args = []
    if conf.get("HOST"):
        args += ["--host", str(conf["HOST"])]
    if conf.get("PORT"):
        args += ["--port", str(conf["PORT"])]
    if conf.get("USER"):
        args += ["--username", str(conf["USER"])]
    env = dict(os.environ)
    if conf.get("PASSWORD"):
        env["PGPASSWORD"] = str(conf["PASSWORD"])
    return args, env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} is not installed. Install the PostgreSQL client tools of the server's version "
            "(Debian: apt install postgresql-client)."
        )
    return found


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603 (fixed tools)
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {result.stderr.strip()[-2000:]}")


def _copy_database(work: Path) -> tuple[str, str]:
    """A consistent copy of the live database into `work`; returns (engine, file name)."""
    connection, conf = _database()
    if connection.vendor == "sqlite":
        name = "database.sqlite3"
        source = sqlite3.connect(conf["NAME"])
        target = sqlite3.connect(work / name)
        try:
            with target:
                source.backup(target)  # the online backup API: safe while the service writes
        finally:
            target.close()
            source.close()
        return "sqlite", name
    if connection.vendor == "postgresql":
        name = "database.pgdump"
        args, env = _pg_args(conf)
        _run(
            [
                _tool("pg_dump"),
                *("--format=custom", "--no-owner", "--no-privileges", f"--file={work / name}"),
                *args,
                *("--dbname", str(conf["NAME"])),
            ],
            env,
        )
        return "postgresql", name
    raise BackupError(f"Backups of {connection.vendor} databases are not supported.")


def _media_files() -> list[tuple[Path, str]]:
    root = Path(settings.MEDIA_ROOT)
    if not root.exists():
        return []
    found = []
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink() and path.suffix != ".part":
            found.append((path, path.relative_to(root).as_posix()))
    return found


def backup(destination: Path) -> dict[str, Any]:
    """Write an archive to `destination` (a .tar.gz, mode 0600). Returns its manifest."""
    destination = destination.resolve()
    destination.parent.mkdir(parents=True, exist_ok=True)
    ring_path = keys.keys_path()
    keys.load()  # makes the development key file if there is none yet
    sealing.ring()  # and the content keys file
    with tempfile.TemporaryDirectory(prefix="incidentdesk-backup-") as temporary:
        work = Path(temporary)
        # The checkpoint first: the copy of the database then reaches at least as far.
        taken = checkpoint.take()
        (work / CHECKPOINT_NAME).write_text(taken.signed_text(), encoding="utf-8")
        engine, database_name = _copy_database(work)
        shutil.copyfile(ring_path, work / KEYS_NAME)
        # After the database: a master key added by a rotation meanwhile is in the copy too.
        shutil.copyfile(sealing.keys_path(), work / CONTENT_KEYS_NAME)
        media = _media_files()
        manifest: dict[str, Any] = {
            "format": FORMAT,
            "created_on": datetime.now(UTC).isoformat(timespec="seconds"),
            "engine": engine,
            "database": {"name": database_name, "sha256": _sha256(work / database_name)},
            "keys": {"name": KEYS_NAME, "sha256": _sha256(work / KEYS_NAME)},
            "content_keys": {"name": CONTENT_KEYS_NAME, "sha256": _sha256(work / CONTENT_KEYS_NAME)},
            "checkpoint": {"name": CHECKPOINT_NAME, "sha256": _sha256(work / CHECKPOINT_NAME)},
            "files": {relative: _sha256(path) for path, relative in media},
            "secret_key_fingerprint": secret_key_fingerprint(),
        }
        handle, partial = tempfile.mkstemp(dir=destination.parent, prefix=".backup-", suffix=".part")
        os.close(handle)
        os.chmod(partial, 0o600)
        try:
            with tarfile.open(partial, "w:gz") as archive:
                data = json.dumps(manifest, indent=1, sort_keys=True).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size = len(data)
                info.mode = 0o600
                archive.addfile(info, io.BytesIO(data))
                for name in (database_name, KEYS_NAME, CONTENT_KEYS_NAME, CHECKPOINT_NAME):
                    archive.add(work / name, arcname=name, recursive=False)
                for path, relative in media:
                    archive.add(path, arcname=f"{FILES_DIR}/{relative}", recursive=False)
            os.replace(partial, destination)
        except BaseException:
            Path(partial).unlink(missing_ok=True)
            raise
    return manifest


def _unpack(archive_path: Path, work: Path) -> dict[str, Any]:
    try:
        with tarfile.open(archive_path, "r:gz") as archive:
            archive.extractall(work, filter="data")  # no absolute paths, links out or devices
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise BackupError(f"{archive_path} is not a readable backup ({exc}).") from exc
    try:
        manifest: dict[str, Any] = json.loads((work / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(f"{archive_path} has no readable manifest.") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{archive_path} was made by another version (format {manifest.get('format')}).")
    # Archives made before decision 0038 have no content keys (nothing was sealed then).
    parts = [manifest["database"], manifest["keys"], manifest["checkpoint"]]
    parts += [manifest["content_keys"]] if "content_keys" in manifest else []
    damaged = [part["name"] for part in parts if _sha256(work / part["name"]) != part["sha256"]]
    damaged += [
        relative
        for relative, digest in manifest["files"].items()
        if not (work / FILES_DIR / relative).is_file() or _sha256(work / FILES_DIR / relative) != digest
    ]
    if damaged:
        raise BackupError(f"The backup is damaged: {len(damaged)} part(s) do not match the manifest: {damaged[:5]}")
    return manifest


def _restore_database(engine: str, source: Path) -> None:
    connection, conf = _database()
    if engine != connection.vendor:
        raise BackupError(f"This backup is of a {engine} database; this installation uses {connection.vendor}.")
    connections.close_all()
    if engine == "sqlite":
        origin = sqlite3.connect(source)
        target = sqlite3.connect(conf["NAME"], timeout=30)
        try:
            with target:
                origin.backup(target)
        finally:
            target.close()
            origin.close()
        return
    args, env = _pg_args(conf)
    _run(
        [
            _tool("pg_restore"),
            *("--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error"),
            *args,
            *("--dbname", str(conf["NAME"]), str(source)),
        ],
        env,
    )


def _restore_files(work: Path, manifest: dict[str, Any]) -> tuple[int, int]:
    root = Path(settings.MEDIA_ROOT)
    restored = set(manifest["files"])
    for relative in restored:
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".restoring")
        shutil.copyfile(work / FILES_DIR / relative, partial)
        os.replace(partial, target)
    others = sum(1 for _, relative in _media_files() if relative not in restored)
    return len(restored), others


def _restore_checkpoint(work: Path) -> Path | None:
    """Put the backup's checkpoint in place; the one there before is kept beside it, dated."""
    path = checkpoint.default_path()
    kept = None
    new = (work / CHECKPOINT_NAME).read_text(encoding="utf-8")
    if path.exists() and path.read_text(encoding="utf-8") != new:
        kept = path.with_name(f"{path.name}.before-restore-{datetime.now(UTC):%Y%m%dT%H%M%SZ}")
        os.replace(path, kept)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(new, encoding="utf-8")
    with contextlib.suppress(OSError):
        os.chmod(path, 0o600)
    return kept


def restore(archive_path: Path, *, different_secret_key: bool = False) -> Restored:
    """Replace the database and evidence files with the archive's, add its keys, then verify."""
    with tempfile.TemporaryDirectory(prefix="incidentdesk-restore-") as temporary:
        work = Path(temporary)
        manifest = _unpack(archive_path, work)
        if manifest["secret_key_fingerprint"] != secret_key_fingerprint() and not different_secret_key:
            raise BackupError(
                "This installation's SECRET_KEY differs from the one the backup was made with, so anonymous "
                "reporters' receipts would no longer open their reports. Set the same SECRET_KEY, or restore "
                "anyway with --different-secret-key."
            )
        keys_added = keys.merge(keys.parse((work / KEYS_NAME).read_text(encoding="utf-8")))
        content_keys_added = 0
        if "content_keys" in manifest:
            # Merged, never replaced: master keys added here since the backup stay, and the
            # backup's (older ones a rotation has since retired) come back for its data keys.
            content = keys.parse((work / manifest["content_keys"]["name"]).read_text(encoding="utf-8"))
            content_keys_added = keys.merge(content, sealing.keys_path())
            sealing.clear_cache()
        _restore_database(manifest["engine"], work / manifest["database"]["name"])
        files, others = _restore_files(work, manifest)
        previous = _restore_checkpoint(work)
    after = [step() for step in list(_after_restore)]
    return Restored(
        files=files,
        other_files_left=others,
        keys_added=keys_added,
        content_keys_added=content_keys_added,
        previous_checkpoint=previous,
        report=verify_all(),
        after=[line for line in after if line],
    )
