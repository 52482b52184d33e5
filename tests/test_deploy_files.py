"""The deployment files (deploy/) and docs/deploy.md agree with the code they deploy.

Every command in the compose file and the systemd units must be one this release has, with
options it accepts; the scheduler must appear exactly once; every process must share the
keys; and the table of environment variables in docs/deploy.md must name exactly the ones
settings.py reads. No server is started: these read files and parse arguments.
"""

import configparser
import importlib
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.management import get_commands, load_command_class
from gunicorn.config import Config

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
UNITS = sorted((DEPLOY / "systemd").glob("*.service"))
# Read by settings.py, but not something a deployment sets.
NOT_FOR_DEPLOYMENT = {"PYTEST_XDIST_WORKER"}


def compose() -> dict[str, Any]:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def unit(path: Path) -> configparser.ConfigParser:
    # systemd repeats keys (Environment=); the last one is enough for these checks.
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(path.read_text())
    return parser


def check_command(argv: list[str]) -> str:
    """Fail unless `argv` runs a manage.py command or gunicorn app of this project with
    options they accept; returns the manage.py command's name, or "gunicorn"."""
    program = Path(argv[0]).name
    if program == "gunicorn":
        parsed = Config().parser().parse_args(argv[1:])
        module, _, attribute = parsed.args[0].partition(":")
        assert callable(getattr(importlib.import_module(module), attribute or "application"))
        return "gunicorn"
    assert program.startswith("python"), argv
    assert argv[1] == "manage.py", argv
    name = argv[2]
    commands = get_commands()
    assert name in commands, f"manage.py has no command {name!r}"
    load_command_class(commands[name], name).create_parser("manage.py", name).parse_args(argv[3:])
    return name


def unit_command(path: Path) -> list[str]:
    line = unit(path)["Service"]["ExecStart"].replace("%i", "8001")
    return shlex.split(line)


def test_every_compose_command_is_a_real_command_with_real_options() -> None:
    services = compose()["services"]
    ran = {name: check_command(s["command"]) for name, s in services.items() if "command" in s}
    assert sorted(ran.values()) == ["crontask", "db_worker", "db_worker", "gunicorn", "gunicorn", "migrate"]


def test_compose_runs_one_scheduler_and_every_process_shares_database_keys_and_files() -> None:
    services = compose()["services"]
    app = {name: s for name, s in services.items() if "command" in s}
    schedulers = [s for s in app.values() if "crontask" in s["command"]]
    assert len(schedulers) == 1
    assert "deploy" not in schedulers[0] and "scale" not in schedulers[0]
    shared = (
        "DATABASE_URL",
        "RECORD_KEYS_FILE",
        "SECRETS_KEY_FILE",
        "CONTENT_KEYS_FILE",
        "MEDIA_ROOT",
        "RECORD_CHECKPOINT_FILE",
    )
    for variable in shared:
        assert len({s["environment"][variable] for s in app.values()}) == 1, variable
    assert len({tuple(s["volumes"]) for s in app.values()}) == 1
    assert len({s["env_file"] for s in app.values()}) == 1
    # Migrated once, before any web process, worker or the scheduler starts.
    for name, service in app.items():
        if name != "migrate":
            assert service["depends_on"]["migrate"]["condition"] == "service_completed_successfully", name
    worker_ids = [s["command"][-1] for s in app.values() if "db_worker" in s["command"]]
    assert len(worker_ids) == len(set(worker_ids)) == 2


@pytest.mark.parametrize("path", UNITS, ids=[p.name for p in UNITS])
def test_every_systemd_unit_parses_and_runs_a_real_command(path: Path) -> None:
    parsed = unit(path)
    assert {"Unit", "Service", "Install"} <= set(parsed.sections())
    assert parsed["Service"]["User"] == "incidentdesk"
    assert parsed["Service"]["EnvironmentFile"] == "/etc/incidentdesk/env"
    name = check_command(unit_command(path))
    # Only the scheduler may not be run several times: it is the one unit that is no template.
    assert (name == "crontask") == ("@" not in path.name)


def test_systemd_units_cover_web_workers_and_scheduler() -> None:
    assert sorted(check_command(unit_command(p)) for p in UNITS) == ["crontask", "db_worker", "gunicorn"]


def documented_variables() -> list[str]:
    text = (ROOT / "docs" / "deploy.md").read_text()
    table = text.split("### Environment variables", 1)[1].split("\n#", 1)[0]
    return re.findall(r"^\| `([A-Z0-9_]+)` \|", table, flags=re.MULTILINE)


def variables_read_by_settings() -> set[str]:
    source = (ROOT / "incidentdesk" / "settings.py").read_text()
    literal = r"""(?:os\.environ(?:\.get)?[\[(]|env_bool\(|env_list\()\s*f?["']([^"']+)["']"""
    return {name for name in re.findall(literal, source)}


def is_read(name: str, read: set[str]) -> bool:
    """Literally, or by an f-string such as f"SSO_{kind.upper()}_CLIENT_ID"."""
    return any(re.fullmatch(re.sub(r"\\\{[^}]*\\\}", "[A-Z]+", re.escape(pattern)), name) for pattern in read)


def test_every_variable_in_the_deploy_table_is_read_by_settings() -> None:
    documented = documented_variables()
    assert len(documented) == len(set(documented)), "a variable is listed twice"
    read = variables_read_by_settings()
    assert [name for name in documented if not is_read(name, read)] == []


def test_every_variable_settings_reads_is_in_the_deploy_table() -> None:
    documented = set(documented_variables())
    missing = {
        pattern
        for pattern in variables_read_by_settings() - NOT_FOR_DEPLOYMENT
        if not any(is_read(name, {pattern}) for name in documented)
    }
    assert missing == set(), "add these to docs/deploy.md, 'Environment variables'"


def test_the_example_env_file_sets_only_documented_variables() -> None:
    documented = set(documented_variables())
    lines = (DEPLOY / "incidentdesk.env.example").read_text().splitlines()
    named = {line.lstrip("#").split("=", 1)[0] for line in lines if re.match(r"#?[A-Z0-9_]+=", line)}
    assert named and named <= documented
