"""`make load` (scripts/load.sh): visitors signed in, each autosaving their draft every
3 s as the report editor's JS does (the whole form, with the version last seen, as an
htmx request), and reading the report list and one of their reports between saves.

Each simulated visitor takes the next account of LOAD_VISITORS (scripts/load/seed.py).
When the run stops, the last text each one typed is written to LOAD_TYPED, for
scripts/load/check.py to compare with the database (no lost edit)."""

import itertools
import json
import os
import random
import sys
from pathlib import Path

import gevent
from locust import HttpUser, events, task
from locust.exception import StopUser
from locust.runners import WorkerRunner

sys.path.insert(0, str(Path(__file__).resolve().parent))

from browser import csrf_token, form_fields, version_in  # noqa: E402

EVERY_S = 3  # the editor's EVERY_MS
VISITORS = json.loads(Path(os.environ["LOAD_VISITORS"]).read_text())
PASSWORD = os.environ["LOAD_PASSWORD"]
_next = itertools.count()
_phase = random.Random(9)  # fixed seed: the same offsets every run
# draft code -> the texts that may be in the database: the last one the server
# acknowledged, then those sent since (a run stops with some answers still on their way).
typed: dict[str, list[str]] = {}
# The figures are those of the visitors signed in (issue 9 §8): once the last one has
# signed in, what the ramp measured (50 password hashes at once) is written to LOAD_RAMP_STATS
# and the statistics start again. Should a sign-in fail, nothing is reset: the run's
# figures then include the ramp and its error.
EXPECTED = int(os.environ.get("LOAD_USERS", len(VISITORS)))
_signed_in = itertools.count(1)


def _steady_state_begins(environment) -> None:
    stats = environment.runner.stats
    sign_in = stats.get("sign in", "POST")
    ramp = {
        "requests": stats.total.num_requests,
        "failures": stats.total.num_failures,
        "sign_in_p50": sign_in.get_response_time_percentile(0.5),
        "sign_in_p95": sign_in.get_response_time_percentile(0.95),
    }
    if path := os.environ.get("LOAD_RAMP_STATS"):
        Path(path).write_text(json.dumps(ramp))
    stats.reset_all()


class Visitor(HttpUser):
    def wait_time(self):
        # What is left of the 3 s since this round began: one save every 3 s.
        return max(0.0, EVERY_S - self._round_took)

    def on_start(self):
        self._round_took = 0.0
        self.rounds = 0
        number = next(_next)
        if number >= len(VISITORS):
            raise StopUser  # more simulated users than seeded accounts
        self.person = VISITORS[number]
        page = self.client.get("/accounts/login/", name="sign-in page").text
        with self.client.post(
            "/accounts/login/",
            {
                "csrfmiddlewaretoken": csrf_token(page),
                "login": self.person["email"],
                "password": PASSWORD,
            },
            name="sign in",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"sign-in answered {response.status_code}")
                raise StopUser
        self.editor = f"/visits/reports/{self.person['draft']}/edit/"
        self.fields = form_fields(
            self.client.get(self.editor, name="/visits/reports/[draft]/edit/").text, "report-form"
        )
        if next(_signed_in) == EXPECTED:
            _steady_state_begins(self.environment)
        # People type on their own clocks: each editor's 3-second timer starts when its
        # person starts typing, not when the last colleague has signed in. Without this
        # offset the 50 simulated editors would save in the same instant every 3 s.
        gevent.sleep(_phase.uniform(0, EVERY_S))

    @task
    def one_round(self):
        import time

        began = time.monotonic()
        self.autosave()
        if self.rounds % 2:
            self.client.get("/visits/reports/", name="/visits/reports/ (list)")
        else:
            self.client.get(
                f"/visits/reports/{self.person['report']}/", name="/visits/reports/[report]/"
            )
        self.rounds += 1
        self._round_took = time.monotonic() - began

    def autosave(self):
        text = f"{self.person['email']} round {self.rounds}: les conditions de la visite."
        self.fields["general_conditions"] = text
        possible = typed.setdefault(self.person["draft"], [])
        possible.append(text)
        with self.client.post(
            f"/visits/reports/{self.person['draft']}/autosave/",
            self.fields,
            headers={
                "HX-Request": "true",
                "HX-Trigger": "report-form",
                "HX-Target": "save-status",
                "HX-Current-URL": self.host + self.editor,
            },
            name="/visits/reports/[draft]/autosave/",
            catch_response=True,
        ) as response:
            version = version_in(response.text) if response.status_code == 200 else None
            if version is None or 'data-state="saved"' not in response.text:
                response.failure(f"not saved: HTTP {response.status_code}")
                return
            self.fields["version"] = str(version)  # as the answer's hidden input does
            possible[:] = [text]  # saved, as the server says: nothing older may be there


@events.test_stop.add_listener
def write_typed(environment, **kwargs):
    if isinstance(environment.runner, WorkerRunner):
        return
    Path(os.environ["LOAD_TYPED"]).write_text(json.dumps(typed, indent=1))
