""".env.example is read the same by a shell, docker compose and systemd (issue 15, part 3).

A server without Docker reads the configuration three ways: systemd's EnvironmentFile
for the services (deploy/), `set -a; . ./.env; set +a` in a shell before a manage.py
command, and docker compose's env_file where there is Docker. Unquoted, a value with a
space or a "<" (MOVE_DEFAULT_FROM_EMAIL=Move <no-reply@...>) stopped bash. Every value is
therefore quoted, and bash is compared here with python-dotenv, whose rules for quotes
are compose's, and with the text written between the quotes.
"""

import re
import shlex
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
ENV_EXAMPLE = ROOT / ".env.example"

ASSIGNMENT = re.compile(r"^(?P<commented>#\s*)?(?P<name>[A-Z][A-Z0-9_]*)=(?P<value>.*)$")
# Between double quotes, nothing any of the readers would expand or unescape; between
# single quotes, anything but a single quote.
QUOTED = re.compile(r"""^(?:"(?P<double>[^"$`\\]*)"|'(?P<single>[^']*)')$""")
# What bash exports of its own with `env -i`.
BASH_OWN = {"PWD", "SHLVL", "_", "OLDPWD"}


def assignments(path: Path) -> list[re.Match]:
    return [match for line in path.read_text().splitlines() if (match := ASSIGNMENT.match(line))]


def written(path: Path) -> dict[str, str]:
    """{name: the text between the quotes} of every line that sets a variable."""
    values = {}
    for match in assignments(path):
        quoted = QUOTED.match(match["value"])
        if not match["commented"] and quoted:
            double, single = quoted["double"], quoted["single"]
            values[match["name"]] = double if double is not None else single
    return values


def read_by_bash(path: Path) -> dict[str, str]:
    """What `set -a; . FILE; set +a` exports, in an empty environment."""
    completed = subprocess.run(
        ["env", "-i", "bash", "-c", f"set -a; . {shlex.quote(path.name)}; set +a; env -0"],
        cwd=path.parent,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert completed.returncode == 0 and not completed.stderr, (
        f"bash cannot source {path.name}: {completed.stderr}"
    )
    pairs = (item.split("=", 1) for item in completed.stdout.split("\0") if item)
    return {name: value for name, value in pairs if name not in BASH_OWN}


def read_by_compose(path: Path) -> dict[str, str]:
    """What an env_file parser with compose's rules reads (python-dotenv)."""
    dotenv = pytest.importorskip("dotenv")
    return {name: value or "" for name, value in dotenv.dotenv_values(path).items()}


def test_every_value_is_between_quotes():
    lines = assignments(ENV_EXAMPLE)
    assert len(lines) > 30
    unquoted = [match[0] for match in lines if not QUOTED.match(match["value"])]
    # The optional lines too ("# NAME=..."): uncommented, they must follow the rule.
    assert not unquoted, (
        'Put these values between double quotes, NAME="value" (single quotes for a value '
        f'with $, `, " or \\): {unquoted}'
    )


def test_a_shell_reads_every_variable_as_written():
    assert read_by_bash(ENV_EXAMPLE) == written(ENV_EXAMPLE)


def test_compose_reads_the_same_variables_and_values_as_a_shell():
    by_bash = read_by_bash(ENV_EXAMPLE)
    by_compose = read_by_compose(ENV_EXAMPLE)
    assert set(by_compose) == set(by_bash) == set(written(ENV_EXAMPLE)), "none lost"
    assert by_compose == by_bash
    assert by_bash["MOVE_DEFAULT_FROM_EMAIL"] == "Move <no-reply@move.example.org>"


def test_a_secret_with_shell_characters_reads_the_same_between_single_quotes(tmp_path):
    # What the comment of .env.example advises for an SMTP password.
    secret = 'p$ss w`rd" #1\\x & <no>'
    env_file = tmp_path / ".env"
    env_file.write_text(f"MOVE_EMAIL_PASSWORD='{secret}'\nMOVE_EMAIL_USER=\"move\"\n")
    assert read_by_bash(env_file) == read_by_compose(env_file) == written(env_file)
    assert written(env_file)["MOVE_EMAIL_PASSWORD"] == secret
    # Between double quotes, the shell would have expanded "$ss": hence the advice.
    env_file.write_text('MOVE_EMAIL_PASSWORD="p$ss"\n')
    assert read_by_bash(env_file)["MOVE_EMAIL_PASSWORD"] == "p"


# --- The systemd units of deploy/ read the same file and run what compose runs --------------

UNITS = {"web": "move-web.service", "worker": "move-worker.service", "beat": "move-beat.service"}


def unit_settings(name: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in (ROOT / "deploy" / UNITS[name]).read_text().splitlines():
        if "=" in line and not line.startswith(("#", ";", "[")):
            key, value = line.split("=", 1)
            found.setdefault(key.strip(), []).append(value.strip())
    return found


def same_command(command: list[str]) -> list[str]:
    """A command without what differs by design between a container and a server: the
    program's folder, the address gunicorn binds and the variables' default values."""
    normal = [Path(command[0]).name]
    for previous, argument in zip(command, command[1:], strict=False):
        if previous == "--bind":
            argument = "ADDRESS"
        normal.append(re.sub(r"\$\{(\w+)(:-[^}]*)?\}", r"${\1}", argument))
    return normal


@pytest.mark.parametrize("name", UNITS)
def test_each_systemd_unit_reads_the_env_file_and_runs_what_compose_runs(name):
    unit = unit_settings(name)
    assert unit["EnvironmentFile"] == ["/etc/move/move.env"]
    assert unit["User"][0] not in {"root", "0"}
    assert unit["WorkingDirectory"] == ["/srv/move"]
    service = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"][name]
    assert same_command(unit["ExecStart"][0].split()) == same_command(service["command"])


def test_the_readme_deploys_without_docker_with_these_units():
    readme = (ROOT / "README.md").read_text()
    assert "## Deploying without Docker" in readme
    section = readme.split("## Deploying without Docker", 1)[1].split("\n## ", 1)[0]
    for unit in UNITS.values():
        assert f"deploy/{unit}" in section or unit in section, unit
    for step in ("uv sync --frozen", "messages.py compile", "collectstatic", "migrate"):
        assert step in section, step
    assert "set -a; . /etc/move/move.env; set +a" in section
