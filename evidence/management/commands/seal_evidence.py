import uuid
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from audit import sealing_files
from evidence import storage
from evidence.models import Evidence


class Command(BaseCommand):
    help = (
        "Seal the evidence files stored in clear before decision 0038: each is written again, sealed under "
        "its incident's key, under a new name; the row is pointed at it only if it opens to the digest the "
        "record holds, and only then is the clear file removed. Safe while the service runs and to run again."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        sealed = already = skipped = 0
        problems: list[str] = []
        for evidence in Evidence.objects.select_related("incident").order_by("pk").iterator(chunk_size=200):
            where = f"evidence {evidence.uuid} ({evidence.incident})"
            if not evidence.incident.content_key:
                skipped += 1  # its key was destroyed: nothing can be sealed for it
                continue
            try:
                if storage.is_sealed(evidence.stored_name):
                    already += 1
                    continue
            except FileNotFoundError:
                problems.append(f"the file of {where} is missing")
                continue
            if self.seal(evidence, problems, where):
                sealed += 1
        self.stdout.write(
            f"Sealed {sealed} evidence file(s); {already} were sealed already"
            + (f"; {skipped} belong to incidents whose key was destroyed." if skipped else ".")
        )
        if problems:
            raise CommandError(
                f"{len(problems)} file(s) were left as they are:\n" + "\n".join(f"- {p}" for p in problems)
            )

    def seal(self, evidence: Evidence, problems: list[str], where: str) -> bool:
        old, new = evidence.stored_name, f"{uuid.uuid4().hex}.bin"
        binding = storage.binding(evidence.uuid)
        with storage.open_file(old) as clear:
            storage.save(new, sealing_files.sealed_reader(clear, evidence.incident, binding))
        # A clear file that no longer matches the record is not laundered into a sealed one.
        if storage.digest(new, binding) != evidence.sha256:
            storage.remove(new)
            problems.append(f"the file of {where} does not match its recorded digest (verify_events shows it)")
            return False
        # Compare-and-swap: a second run at the same moment leaves one of the two copies.
        if Evidence.objects.filter(pk=evidence.pk, stored_name=old).update(stored_name=new):
            storage.remove(old)
            return True
        storage.remove(new)
        return False
