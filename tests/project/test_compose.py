"""docker-compose.yml, the Dockerfile and .env.example against what the code reads (DESIGN.md §7).

The variables are found by reading the code (every env_* call and os.environ read), so a
new setting without a line in .env.example and README.md fails here; the variables
production cannot do without are checked to reach every container that runs Move.
"""

import ast
import json
import os
import re
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
CODE_DIRS = ("move", "visits", "detainees", "legal", "advocacy", "figures")
ENV_HELPERS = {
    "env_str",
    "env_bool",
    "env_int",
    "env_float",
    "env_list",
    "env_choice",
    "env_secret",
}

# Services that run Move's code, and those that must say whether they are healthy.
APP_SERVICES = ("migrate", "web", "worker", "beat")
LONG_RUNNING_APP_SERVICES = ("web", "worker", "beat")
HEALTHCHECKED = ("postgres", "redis", "web", "worker", "beat")

# What production cannot do without. MOVE_SECRET_KEY, MOVE_ENCRYPTION_KEY, DATABASE_URL
# and REDIS_URL stop the start-up (test_start_up_requirements_are_all_listed computes that
# list); without the others Move starts but refuses every request (MOVE_ALLOWED_HOSTS) or
# cannot send invitations (MOVE_EMAIL_HOST).
REQUIRED_IN_PRODUCTION = {
    "MOVE_SECRET_KEY",
    "MOVE_ENCRYPTION_KEY",
    "MOVE_ALLOWED_HOSTS",
    "DATABASE_URL",
    "REDIS_URL",
    "MOVE_EMAIL_HOST",
}
# Required by docker-compose.yml itself (not read by Move).
REQUIRED_BY_COMPOSE = {"POSTGRES_PASSWORD"}

# Where the probe may create files: never the project's var/ or the image's /app.
PATH_VARIABLES = ("MOVE_SQLITE_PATH", "MOVE_STATIC_ROOT", "MOVE_MEDIA_ROOT")


# --- What the code reads ----------------------------------------------------------------


def _python_files():
    for directory in CODE_DIRS:
        for path in sorted((ROOT / directory).rglob("*.py")):
            if "migrations" not in path.parts and path != ROOT / "move" / "env.py":
                yield path


def _is_os_environ(node) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "environ"
        and isinstance(node.value, ast.Name)
        and node.value.id == "os"
    )


def _variable_reads(tree):
    """(helper, first argument node) for every read of an environment variable."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args:
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if name in ENV_HELPERS:
                yield name, node.args[0]
            elif isinstance(func, ast.Attribute) and (
                (func.attr == "get" and _is_os_environ(func.value))
                or (
                    func.attr == "getenv"
                    and isinstance(func.value, ast.Name)
                    and func.value.id == "os"
                )
            ):
                yield "os.environ", node.args[0]
        elif (
            isinstance(node, ast.Subscript)
            and isinstance(node.ctx, ast.Load)
            and _is_os_environ(node.value)
        ):
            yield "os.environ", node.slice


@cache
def variables_read() -> dict[str, str]:
    """Every environment variable the code reads, with the helper that reads it."""
    found: dict[str, str] = {}
    unnamed = []
    for path in _python_files():
        for helper, argument in _variable_reads(ast.parse(path.read_text(), str(path))):
            if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                found[argument.value] = helper
            else:
                unnamed.append(f"{path.relative_to(ROOT)}:{argument.lineno}")
    assert not unnamed, (
        f"Read environment variables by literal name, so they can be checked: {unnamed}"
    )
    return found


# --- .env.example -----------------------------------------------------------------------

ENTRY = re.compile(r"^(?P<commented>#\s*)?(?P<name>[A-Z][A-Z0-9_]*)=(?P<value>.*)$")


@dataclass(frozen=True)
class Entry:
    name: str
    value: str
    is_set: bool  # "NAME=value" rather than "# NAME=value"
    comment: str  # the comment lines right above it


@cache
def unquote(value: str) -> str:
    """The text between the quotes: .env.example quotes every value, so that a shell reads
    it as compose does (tests/project/test_env_file.py)."""
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def env_example_entries() -> tuple[Entry, ...]:
    entries = []
    comment: list[str] = []
    for line in (ROOT / ".env.example").read_text().splitlines():
        match = ENTRY.match(line)
        if match:
            entries.append(
                Entry(
                    match["name"],
                    unquote(match["value"]),
                    not match["commented"],
                    " ".join(comment),
                )
            )
            comment = []
        elif line.startswith("#"):
            comment.append(line.lstrip("#").strip())
        else:
            comment = []
    return tuple(entries)


def env_example() -> dict[str, Entry]:
    return {entry.name: entry for entry in env_example_entries()}


# --- docker-compose.yml and Dockerfile --------------------------------------------------


@cache
def compose_text() -> str:
    return (ROOT / "docker-compose.yml").read_text()


@cache
def compose() -> dict:
    return yaml.safe_load(compose_text())


def service(name: str) -> dict:
    services = compose()["services"]
    assert name in services, f"docker-compose.yml has no {name} service"
    return services[name]


def environment_of(name: str) -> dict[str, str]:
    environment = service(name).get("environment") or {}
    if isinstance(environment, list):
        environment = dict(
            item.split("=", 1) if "=" in item else (item, "") for item in environment
        )
    return {key: str(value) for key, value in environment.items()}


def env_files_of(name: str) -> list[str]:
    files = service(name).get("env_file") or []
    if isinstance(files, str | dict):
        files = [files]
    return [item["path"] if isinstance(item, dict) else item for item in files]


def compose_interpolations() -> set[str]:
    return set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", compose_text()))


def dockerfile_instructions() -> list[str]:
    """The Dockerfile's instructions, continuation lines joined, comments dropped."""
    joined = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())
    return [
        line.strip()
        for line in joined.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]


# --- The start-up probe -----------------------------------------------------------------

# Imports move.settings once with every variable, then once without each one, and says
# which absences stop the import, with the message.
PROBE = """
import importlib, json, os, sys
base = json.loads(sys.argv[1])
def attempt(env):
    os.environ.clear()
    os.environ.update(env)
    sys.modules.pop("move.settings", None)
    try:
        importlib.import_module("move.settings")
    except Exception as error:
        return f"{type(error).__name__}: {error}"
    return None
result = {"complete": attempt(base), "without": {}}
for name in json.loads(sys.argv[2]):
    result["without"][name] = attempt({k: v for k, v in base.items() if k != name})
print(json.dumps(result))
"""


def clean_environment() -> dict[str, str]:
    return {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("MOVE_")
        and key not in {"DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }


@pytest.fixture(scope="module")
def start_up_failures(tmp_path_factory) -> dict[str, str]:
    """{variable: error} for each variable whose absence stops a production start-up."""
    scratch = tmp_path_factory.mktemp("probe")
    production = {}
    for name, helper in variables_read().items():
        entry = env_example().get(name)
        value = entry.value if entry else ""
        if not value and helper in {"env_str", "env_secret", "env_list"}:
            value = f"probe-{name.lower()}-" + "x" * 60
        production[name] = value
    production["MOVE_DEBUG"] = "false"
    production["MOVE_TESTING"] = "false"
    production["MOVE_SENTRY_DSN"] = "https://public@sentry.invalid/1"  # a DSN, never contacted
    for name in PATH_VARIABLES:
        production[name] = str(scratch / name.lower())
    candidates = sorted(set(variables_read()) - {"MOVE_DEBUG", "MOVE_TESTING"})
    completed = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(production), json.dumps(candidates)],
        env={**clean_environment(), **production},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    result = json.loads(completed.stdout)
    assert result["complete"] is None, f"Production settings do not import: {result['complete']}"
    return {name: error for name, error in result["without"].items() if error}


# --- Documentation ----------------------------------------------------------------------


def test_the_code_reads_its_settings_from_the_environment():
    names = variables_read()
    assert {"MOVE_DEBUG", "MOVE_SECRET_KEY", "DATABASE_URL", "REDIS_URL"} <= set(names)
    assert names["MOVE_SECRET_KEY"] == "env_secret"


def test_env_example_lists_every_variable_the_code_reads():
    missing = sorted(set(variables_read()) - set(env_example()))
    assert not missing, f"Add these to .env.example, with a comment: {missing}"


def test_env_example_comments_every_variable_once():
    names = [entry.name for entry in env_example_entries()]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    assert not duplicates, f".env.example lists these more than once: {duplicates}"
    uncommented = [entry.name for entry in env_example_entries() if len(entry.comment) < 20]
    assert not uncommented, f"Explain these in a comment right above them: {uncommented}"


def test_env_example_lists_nothing_stale():
    known = set(variables_read()) | compose_interpolations()
    stale = sorted(set(env_example()) - known)
    assert not stale, f".env.example lists variables nothing reads: {stale}"


def test_env_example_marks_secrets():
    secrets = {name for name, helper in variables_read().items() if helper == "env_secret"}
    unmarked = sorted(name for name in secrets if "Secret." not in env_example()[name].comment)
    assert not unmarked, f'Mark these "Secret." in .env.example (NAME_FILE works): {unmarked}'
    assert "NAME_FILE" in (ROOT / ".env.example").read_text()


def test_env_example_marks_exactly_the_required_variables():
    marked = {entry.name for entry in env_example_entries() if entry.comment.startswith("Required")}
    assert marked == REQUIRED_IN_PRODUCTION | REQUIRED_BY_COMPOSE


def test_env_example_is_safe_to_copy():
    entries = env_example()
    assert entries["MOVE_DEBUG"].is_set and entries["MOVE_DEBUG"].value == "false"
    for name in ("MOVE_SECRET_KEY", "MOVE_ENCRYPTION_KEY", "POSTGRES_PASSWORD"):
        assert entries[name].is_set and entries[name].value == "", f"{name} must be left to fill"
    for name in ("MOVE_DEMO_PASSWORD", "MOVE_TESTING"):
        assert not entries[name].is_set, f"{name} has no place in a production .env"


def test_readme_documents_every_variable():
    readme = (ROOT / "README.md").read_text()
    missing = sorted(name for name in env_example() if f"`{name}`" not in readme)
    assert not missing, f"README.md's configuration table lacks: {missing}"


# --- What production requires -----------------------------------------------------------


def test_start_up_requirements_are_all_listed(start_up_failures):
    assert "MOVE_SECRET_KEY" in start_up_failures  # the probe works
    for name, error in start_up_failures.items():
        assert name in error, f"Without {name} the start-up fails without naming it: {error}"
    unlisted = sorted(set(start_up_failures) - REQUIRED_IN_PRODUCTION)
    assert not unlisted, (
        f"Production cannot start without {unlisted}: add to REQUIRED_IN_PRODUCTION"
    )


@pytest.mark.parametrize("name", APP_SERVICES)
def test_every_app_service_gets_every_required_variable(name):
    provided = set(environment_of(name))
    if ".env" in env_files_of(name):
        provided |= {entry.name for entry in env_example_entries() if entry.is_set}
    missing = sorted(REQUIRED_IN_PRODUCTION - provided)
    assert not missing, f"The {name} service does not get {missing}"


def test_app_services_share_one_image_and_configuration():
    shared = compose()["x-move-env"]
    for name in APP_SERVICES:
        assert service(name)["image"] == service("web")["image"]
        assert env_files_of(name) == [".env"]
        environment = environment_of(name)
        assert {key: environment.get(key) for key in shared} == {
            key: str(value) for key, value in shared.items()
        }, f"{name} does not use the x-move-env anchor"


def test_compose_runs_production_against_its_own_services():
    shared = compose()["x-move-env"]
    assert str(shared["MOVE_DEBUG"]) == "false"
    assert shared["DATABASE_URL"].startswith("postgres://move:${POSTGRES_PASSWORD")
    assert shared["DATABASE_URL"].endswith("@postgres:5432/move")
    assert shared["REDIS_URL"].startswith("redis://redis:6379/")
    assert service("postgres")["image"] == "postgres:16"
    assert service("redis")["image"] == "redis:7"


def test_compose_variables_are_documented():
    missing = sorted(compose_interpolations() - set(env_example()))
    assert not missing, f"docker-compose.yml uses variables .env.example lacks: {missing}"


# --- Health and order -------------------------------------------------------------------


@pytest.mark.parametrize("name", HEALTHCHECKED)
def test_service_has_a_healthcheck(name):
    healthcheck = service(name).get("healthcheck") or {}
    assert not healthcheck.get("disable")
    test = healthcheck.get("test")
    assert test and test != ["NONE"], f"{name} has no healthcheck"


@pytest.mark.parametrize("name", LONG_RUNNING_APP_SERVICES)
def test_app_service_waits_for_healthy_services_and_migrations(name):
    depends_on = service(name).get("depends_on")
    assert isinstance(depends_on, dict), f"{name}: depends_on needs conditions"
    conditions = {key: value.get("condition") for key, value in depends_on.items()}
    assert conditions == {
        "postgres": "service_healthy",
        "redis": "service_healthy",
        "migrate": "service_completed_successfully",
    }


def test_migrate_runs_once_before_the_others():
    migrate = service("migrate")
    assert migrate["command"][-3:] == ["manage.py", "migrate", "--no-input"]
    assert migrate["restart"] == "no"
    assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_commands():
    assert service("web")["command"][:2] == ["gunicorn", "move.wsgi"]
    assert service("worker")["command"][:4] == ["celery", "-A", "move", "worker"]
    beat = service("beat")["command"]
    assert beat[:4] == ["celery", "-A", "move", "beat"]
    # Beat answers the healthcheck's ping only with remote control on.
    assert "--enable-remote-control" in beat
    assert "celerybeat@$$HOSTNAME" in service("beat")["healthcheck"]["test"][-1]


# --- Dockerfile -------------------------------------------------------------------------


def test_dockerfile_builds_a_non_root_gunicorn_image():
    instructions = dockerfile_instructions()
    assert instructions[0].startswith("FROM python:3.11-slim")
    users = [line.split()[1] for line in instructions if line.startswith("USER ")]
    assert users and users[-1] not in {"root", "0"}, "The image must run as a non-root user"
    cmd = [line for line in instructions if line.startswith("CMD ")][-1]
    assert json.loads(cmd[4:])[:2] == ["gunicorn", "move.wsgi"]
    assert any("uv sync --frozen --no-dev" in line for line in instructions)


def test_dockerfile_compiles_catalogues_with_the_locked_polib():
    lock = tomllib.loads((ROOT / "uv.lock").read_text())
    version = next(p["version"] for p in lock["package"] if p["name"] == "polib")
    compile_step = next(line for line in dockerfile_instructions() if "messages.py compile" in line)
    assert f"polib=={version}" in compile_step


def test_dockerfile_collectstatic_has_what_the_settings_need(start_up_failures):
    step = next(line for line in dockerfile_instructions() if "collectstatic" in line)
    assert "MOVE_DEBUG=false" in step  # the manifest storage of production
    values = dict(re.findall(r"\b([A-Z_]+)=(\S*)", step))
    missing = sorted(name for name in start_up_failures if not values.get(name))
    assert not missing, f"collectstatic in the Dockerfile needs dummy values for {missing}"


def test_the_running_image_has_what_weasyprint_and_the_pdfs_need():
    instructions = dockerfile_instructions()
    runtime = instructions[
        max(i for i, line in enumerate(instructions) if line.startswith("FROM")) :
    ]
    installed = " ".join(line for line in runtime if "apt-get install" in line)
    for package in (
        "libpango-1.0-0",
        "libpangoft2-1.0-0",
        "libharfbuzz-subset0",
        "fonts-dejavu-core",
    ):
        assert package in installed, f"The runtime image lacks {package}"
