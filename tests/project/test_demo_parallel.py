"""The demo (MOVE_DEBUG=true, its SQLite file) holds a small team clicking at once
(issue 9 §5): a real server, eight people signing in and autosaving their drafts at the
same moment, and not one answer 500 ("database is locked") nor one edit lost."""

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts" / "load"))

from browser import csrf_token, form_fields, version_in  # noqa: E402

CLIENTS, SAVES = 8, 12
PASSWORD = "parallel-demo-password-42"


def demo_environment(tmp_path) -> dict[str, str]:
    clean = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("MOVE_")
        and key not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}
    }
    return {
        **clean,
        "MOVE_DEBUG": "true",
        "MOVE_REQUIRE_MFA": "false",
        "MOVE_LANGUAGE_CODE": "en",
        "MOVE_SQLITE_PATH": str(tmp_path / "demo.sqlite3"),
        "MOVE_STATIC_ROOT": str(tmp_path / "static"),
        "MOVE_MEDIA_ROOT": str(tmp_path / "media"),
        "DJANGO_SETTINGS_MODULE": "move.settings",
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Browser:
    """One person's browser: its own cookies, the answers' statuses kept."""

    def __init__(self, base: str, statuses: list):
        self.base = base
        self.statuses = statuses
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(CookieJar()), _NoRedirect
        )

    def request(self, path, data=None, headers=None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body, headers=headers or {})
        try:
            with self.opener.open(request, timeout=30) as response:
                status, text = response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read().decode(errors="replace")
        self.statuses.append((path, status))
        return status, text


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def one_person(base, person, barrier, statuses, typed):
    browser = Browser(base, statuses)
    _status, page = browser.request("/accounts/login/")
    barrier.wait()  # everyone signs in at the same moment
    status, _page = browser.request(
        "/accounts/login/",
        {"csrfmiddlewaretoken": csrf_token(page), "login": person["email"], "password": PASSWORD},
    )
    assert status == 302, f"{person['email']} could not sign in: {status}"
    editor = f"/visits/reports/{person['draft']}/edit/"
    _status, page = browser.request(editor)
    fields = form_fields(page, "report-form")
    for number in range(SAVES):
        fields["general_conditions"] = f"{person['email']} typed this, save {number}."
        status, answer = browser.request(
            f"/visits/reports/{person['draft']}/autosave/", fields, {"HX-Request": "true"}
        )
        if status == 200 and version_in(answer) is not None:
            fields["version"] = str(version_in(answer))
            typed[person["draft"]] = fields["general_conditions"]
        browser.request("/visits/reports/")


@pytest.fixture
def demo_server(tmp_path):
    env = demo_environment(tmp_path)

    def manage(*args):
        done = subprocess.run(
            [sys.executable, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    manage("manage.py", "migrate", "--no-input", "-v", "0")
    seeded = tmp_path / "visitors.json"
    manage(
        "scripts/load/seed.py",
        "--visitors",
        str(CLIENTS),
        "--password",
        PASSWORD,
        "--out",
        str(seeded),
    )
    people = json.loads(seeded.read_text())
    port = free_port()
    log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(base + "/accounts/login/", timeout=2).close()
                break
            except OSError:
                assert server.poll() is None, (tmp_path / "server.log").read_text()
                assert time.monotonic() < deadline, "the demo server did not start"
                time.sleep(0.2)
        yield base, people, manage
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


def test_parallel_clients_writing_to_the_demo_get_no_error(demo_server, tmp_path):
    base, people, manage = demo_server
    statuses, typed, failures = [], {}, []
    barrier = threading.Barrier(len(people))

    def run(person):
        try:
            one_person(base, person, barrier, statuses, typed)
        except Exception as error:  # reported below, with the server's log
            failures.append(f"{person['email']}: {error!r}")

    threads = [threading.Thread(target=run, args=(person,)) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    errors = [(path, status) for path, status in statuses if status >= 500]
    log = (tmp_path / "server.log").read_text()
    assert not failures, f"{failures}\n{log[-3000:]}"
    assert not errors, f"{len(errors)} errors of {len(statuses)}: {errors[:5]}\n{log[-3000:]}"
    assert len(statuses) == len(people) * (2 + 1 + 2 * SAVES)
    assert {status for path, status in statuses if "autosave" in path} == {200}
    # Every person's last text is the one saved.
    (tmp_path / "typed.json").write_text(json.dumps(typed))
    assert len(typed) == len(people)
    checked = manage("scripts/load/check.py", str(tmp_path / "typed.json"))
    assert f"Lost edits: 0 of {len(people)}" in checked
