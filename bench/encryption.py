"""What encryption at rest costs: the county's pages before and after it, side by side.

    .venv/bin/python bench/encryption.py [--engine sqlite] [--incidents 100000] [--repeat 10]
        [--before 565782d] [--out bench/results/encryption-sqlite-100k.md]

Runs `bench/compare.py` twice with the same arguments, each time on a fresh generated county:
first in a git worktree of `--before` (the last commit before incidents' content was sealed,
565782d; made under /tmp if it is not there yet, with this checkout's .venv), then in this
checkout. Then prints, for each page, viewer and export, the p50 of both and their ratio. The
rows that answer the issue's question are the list, the incident page, the searches and the
exports; the rest are printed too, since sealing touches every page that shows a title.

The two runs are one after the other on the same machine, so a busy machine makes both slower;
the load average is in each run's own heading (kept beside the comparison as `-before.md` and
`-after.md`). Not a test: the figures depend on the machine and its load.
"""

import argparse
import re
import subprocess
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BEFORE = "565782d"  # the last commit before issue 17 sealed incidents' content (decision 0038)


def worktree(commit: str) -> Path:
    # Under the system's temporary folder, named after the commit so a second run reuses it.
    path = Path(tempfile.gettempdir()) / f"incidentdesk-before-{commit}"
    if not path.exists():
        git = ["git", "worktree", "add", "--detach", str(path), commit]
        subprocess.run(git, cwd=ROOT, check=True)  # noqa: S603 (git, with our own commit and path)
    venv = path / ".venv"
    if not venv.exists():
        venv.symlink_to(ROOT / ".venv")
    return path


def measure(tree: Path, args: argparse.Namespace, out: Path) -> str:
    command = [
        str(ROOT / ".venv/bin/python"),
        "bench/compare.py",
        "--engine",
        args.engine,
        "--incidents",
        str(args.incidents),
        "--repeat",
        str(args.repeat),
        "--export-cap",
        str(args.export_cap),
        "--out",
        str(out),
    ]
    print(f"== {tree}: {' '.join(command[1:])}", flush=True)
    subprocess.run(command, cwd=tree, check=True)  # noqa: S603 (our own script, fixed arguments)
    return out.read_text()


Row = tuple[str, str]  # (what, viewer)


def rows(text: str) -> tuple[str, dict[Row, tuple[float, str]]]:
    """The heading and {(what, viewer): (p50 ms, queries)} of a compare.py table."""
    heading = text.splitlines()[0]
    found = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 5 or not re.fullmatch(r"[\d,.]+", cells[2]):
            continue
        what = re.sub(r"page [\d,]+ of [\d,]+ incidents", "page half-way down", cells[0])
        found[(what, cells[1])] = (float(cells[2].replace(",", "")), cells[4])
    return heading, found


def compare(before: str, after: str) -> str:
    heading_before, old = rows(before)
    heading_after, new = rows(after)
    lines = [
        f"Before: {heading_before}",
        "",
        f"After: {heading_after}",
        "",
        "| page | viewer | before p50 ms | after p50 ms | after / before | queries before → after |",
        "| --- | --- | ---: | ---: | ---: | --- |",
    ]
    for key, (ms, queries) in new.items():
        if key not in old:
            continue
        was, was_queries = old[key]
        ratio = f"{ms / was:.2f}" if was else ""
        lines.append(f"| {key[0]} | {key[1]} | {was:,.1f} | {ms:,.1f} | {ratio} | {was_queries} → {queries} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--engine", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--export-cap", type=int, default=20_000)
    parser.add_argument("--before", default=BEFORE)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    out = args.out or ROOT / f"bench/results/encryption-{args.engine}-{args.incidents // 1000}k.md"
    before = measure(worktree(args.before), args, out.with_name(out.stem + "-before.md"))
    after = measure(ROOT, args, out.with_name(out.stem + "-after.md"))
    text = compare(before, after)
    print("\n" + text)
    out.write_text(text)


if __name__ == "__main__":
    main()
