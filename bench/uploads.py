"""Time and memory of one anonymous upload of a hostile file: the 49-megapixel photo and the
.docx that unpacks to 190 MiB (issue 12, finding 8).

    .venv/bin/python bench/uploads.py                  # this checkout
    .venv/bin/python bench/uploads.py --tree /work/main  # another checkout (the "before")

Builds the two files once (under var/bench-uploads/), then for each runs a fresh Python process against
the chosen checkout that loads the file's bytes and calls what the public report page calls
before storing anything: `anonymous.scrub.clean` (the evidence checks, then metadata removal).
Reports the wall time of that call, the growth of the process's peak resident memory during
it (ru_maxrss), and the outcome. No scanner (CLAMAV_SOCKET unset): this measures the limits
and the decoding, not clamd. Not a test: tests never assert timings.
"""

import argparse
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
FILES = HERE / "var" / "bench-uploads"

CHILD = r"""
import json, os, resource, sys, time
tree, path, name = sys.argv[1:4]
sys.path.insert(0, tree)
os.chdir(tree)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "incidentdesk.settings")
os.environ["CLAMAV_SOCKET"] = ""
import django
django.setup()
from anonymous.scrub import clean
from core.exceptions import StepRefused
content = open(path, "rb").read()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
try:
    outcome = f"stored ({len(clean(content, name).content):,} bytes)"
except StepRefused as refused:
    outcome = f"refused: {refused}"
seconds = time.perf_counter() - started
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": seconds, "peak_growth_mb": (after - before) / 1024, "outcome": outcome}))
"""


def photo_49mp() -> Path:
    path = FILES / "photo-49mp.jpg"
    if not path.exists():
        from PIL import Image

        out = io.BytesIO()
        Image.new("RGB", (7000, 7000), (90, 140, 200)).save(out, format="JPEG", quality=85)
        path.write_bytes(out.getvalue())
    return path


def docx_bomb() -> Path:
    path = FILES / "bomb-190mib.docx"
    if not path.exists():
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
            archive.writestr("[Content_Types].xml", "<Types/>")
            with archive.open("word/document.xml", "w", force_zip64=True) as handle:
                block = b" " * (1024 * 1024)
                for _ in range(190):
                    handle.write(block)
    return path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tree", default=str(HERE), help="the checkout to measure")
    args = parser.parse_args()
    FILES.mkdir(exist_ok=True)
    cases = [("49 MP photo", photo_49mp(), "IMG_2041.jpg"), ("docx, 190 MiB unpacked", docx_bomb(), "minutes.docx")]
    print(f"checkout: {args.tree}")
    for label, path, name in cases:
        result = subprocess.run(  # noqa: S603  (our own interpreter and script)
            [sys.executable, "-c", CHILD, args.tree, str(path), name],
            capture_output=True,
            text=True,
            check=True,
        )
        figures = json.loads(result.stdout.strip().splitlines()[-1])
        print(
            f"{label} ({path.stat().st_size / 1024:,.0f} KB): {figures['seconds']:.3f} s, "
            f"peak memory +{figures['peak_growth_mb']:,.0f} MB, {figures['outcome']}"
        )


if __name__ == "__main__":
    main()
