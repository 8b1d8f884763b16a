"""Realistic mixed load for Mellanrum (issue 8, item 3).

Run through ``bench/load/run.py`` (which builds a throw-away demo database and serves the app
as in production on 127.0.0.1), or by hand against a running server on loopback:

    .venv/bin/locust -f bench/load/locustfile.py --headless -u 20 -r 20 --run-time 60s \
        --host http://127.0.0.1:8765

Two kinds of user share the traffic, weighted so that most requests are reads:

* ``Visitor`` (anonymous, weight 3): the organisation directory with filters and sorting,
  organisation pages, the public finder for Nacka with everyday phrasings, life-event pages.
* ``Editor`` (the demo user, editor of Nacka 0182, weight 2; with ``LOAD_SESSIONS_FILE`` each
  one reuses a session opened before the run, otherwise it logs in first): activities with search,
  shared concepts and opportunities, concept pages, editing a Nacka activity (GET the form and
  POST it back with its version) and, rarely, importing a small Swedish CSV and confirming it.

* ``NationalUser`` (weight 1, only with ``--dataset national``, when run.py passes
  ``LOAD_NATIONAL_SESSIONS_FILE``): one of the 10,000 national users, with a session opened
  before the run; reads its own organisation, activities, initiatives and their ledgers, and
  sometimes logs out and in again as another national user through the form.

Like a browser, each simulated user fetches the chart pictures of every page it reads
(``<img src="/diagram/….svg">``), each picture once: their addresses are hashes of their
content and they are served as immutable, so a browser keeps them.

An edit that meets another user's concurrent save gets HTTP 409 with a conflict message; that is
the designed behaviour, so it is counted as a success and tallied separately (written to the
file named by ``LOAD_CONFLICTS_FILE`` when the run stops).
"""

from __future__ import annotations

import json
import os
import random
import re
import sys
import time
import urllib.parse
from pathlib import Path

from locust import HttpUser, between, events, task

sys.path.insert(0, str(Path(__file__).resolve().parent))
from traffic import (  # noqa: E402
    ACTIVITY_RE,
    ACTIVITY_SEARCHES,
    BANDS,
    CONCEPT_RE,
    COUNTIES,
    FINDER_PHRASES,
    INITIATIVE_RE,
    JOB_RE,
    KINDS,
    LEDGER_RE,
    LIFE_EVENTS,
    NACKA,
    ORG_RE,
    OWN_ORG_RE,
    PICTURE_RE,
    SORTS,
    TOKEN_RE,
    form_fields,
)

# Filled in by the first requests that see them; shared by all simulated users in the process.
SEEN_ORGS: list[str] = ["0182", "0180", "0125", "1280", "1480"]
NACKA_ACTIVITIES: list[int] = []
CONCEPTS: list[str] = []
CONFLICTS = {"edit": 0, "import_busy": 0}


SESSIONS: list[dict[str, str]] = []
_sessions_used = 0


def _next_session() -> dict[str, str] | None:
    """The next pre-opened editor session (cookies), from the file named by LOAD_SESSIONS_FILE."""
    global _sessions_used
    path = os.environ.get("LOAD_SESSIONS_FILE")
    if path and not SESSIONS:
        with open(path, encoding="utf-8") as fh:
            SESSIONS.extend(json.load(fh))
    if not SESSIONS:
        return None
    session = SESSIONS[_sessions_used % len(SESSIONS)]
    _sessions_used += 1
    return session



def _remember(pattern: re.Pattern, text: str, into: list, convert=str, limit: int = 500) -> None:
    if len(into) >= limit:
        return
    for value in pattern.findall(text):
        value = convert(value)
        if value not in into:
            into.append(value)


class Browser(HttpUser):
    """A user with a browser: it fetches the pictures of the pages it reads."""

    abstract = True

    def on_start(self):
        self.pictures: set[str] = set()

    def get_page(self, url: str, name: str, **kwargs):
        """GET a page and then, as a browser does, each chart picture it has not seen yet."""
        r = self.client.get(url, name=name, **kwargs)
        if r.ok:
            for address in PICTURE_RE.findall(r.text):
                if address not in self.pictures:
                    self.pictures.add(address)
                    self.client.get(address, name="/diagram/[hash].svg")
        return r


class Visitor(Browser):
    """An anonymous member of the public."""

    weight = 3
    wait_time = between(1, 3)

    @task(4)
    def directory(self):
        params = {}
        if random.random() < 0.6:
            params["county"] = random.choice(COUNTIES)
        if random.random() < 0.4:
            params["kind"] = random.choice(KINDS)
        if random.random() < 0.3:
            params["band"] = random.choice(BANDS)
        if random.random() < 0.2:
            params["q"] = random.choice(["nacka", "stock", "region", "bo", "vatten"])
        params["sort"] = random.choice(SORTS)
        r = self.get_page("/organisationer/", params=params, name="/organisationer/?filters")
        if r.ok:
            _remember(ORG_RE, r.text, SEEN_ORGS)

    @task(4)
    def organisation(self):
        code = random.choice(SEEN_ORGS)
        self.get_page(f"/organisationer/{code}/", name="/organisationer/[code]/")

    @task(6)
    def finder(self):
        self.get_page(
            "/hitta/",
            params={"place": "Nacka", "q": random.choice(FINDER_PHRASES)},
            name="/hitta/?place=Nacka&q=…",
        )

    @task(2)
    def life_event(self):
        self.get_page(
            f"/livshandelser/{random.choice(LIFE_EVENTS)}/", name="/livshandelser/[slug]/"
        )

    @task(1)
    def home(self):
        self.get_page("/", name="/")


class Editor(Browser):
    """The demo user, editor of Nacka (0182): browses, edits and sometimes imports."""

    weight = 2
    wait_time = between(1, 3)

    def on_start(self):
        super().on_start()
        # Real editors stay logged in for days (the session lasts two weeks), so each simulated
        # editor reuses a session that bench/load/run.py opened through the log-in form before
        # the measured run; the 0.2 s of password hashing per log-in is not part of every visit.
        session = _next_session()
        if session is not None:
            # For the server's host, so that a cookie it sets later (csrftoken) replaces this
            # one instead of being kept beside it.
            host = urllib.parse.urlsplit(self.host).hostname
            for name, value in session.items():
                self.client.cookies.set(name, value, domain=host, path="/")
            return
        self.log_in()

    def log_in(self):
        r = self.client.get("/konto/logga-in/", name="/konto/logga-in/ [GET]")
        token = TOKEN_RE.search(r.text).group(1)
        with self.client.post(
            "/konto/logga-in/",
            name="/konto/logga-in/ [POST]",
            data={
                "csrfmiddlewaretoken": token,
                "username": "demo",
                "password": "mellanrum-demo",
                "next": "/",
            },
            catch_response=True,
            allow_redirects=False,
        ) as r:
            if r.status_code != 302:
                r.failure(f"login failed: HTTP {r.status_code}")

    def _csrf(self) -> str:
        return self.client.cookies.get("csrftoken", "")

    @task(6)
    def activities_search(self):
        params = {"q": random.choice(ACTIVITY_SEARCHES)}
        if random.random() < 0.5:
            params["organisation"] = NACKA
        r = self.get_page("/verksamheter/", params=params, name="/verksamheter/?q=…")
        if r.ok and params.get("organisation") == NACKA:
            _remember(ACTIVITY_RE, r.text, NACKA_ACTIVITIES, int)

    @task(3)
    def activity_detail(self):
        if not NACKA_ACTIVITIES:
            return self.nacka_page()
        self.get_page(
            f"/verksamheter/{random.choice(NACKA_ACTIVITIES)}/", name="/verksamheter/[id]/"
        )

    @task(2)
    def nacka_page(self):
        r = self.get_page(f"/organisationer/{NACKA}/", name="/organisationer/[code]/ (editor)")
        if r.ok:
            _remember(ACTIVITY_RE, r.text, NACKA_ACTIVITIES, int)

    @task(2)
    def concepts_overview(self):
        r = self.get_page("/gemensamt/", name="/gemensamt/")
        if r.ok:
            _remember(CONCEPT_RE, r.text, CONCEPTS)

    @task(2)
    def opportunities(self):
        r = self.get_page("/gemensamt/mojligheter/", name="/gemensamt/mojligheter/")
        if r.ok:
            _remember(CONCEPT_RE, r.text, CONCEPTS)

    @task(3)
    def concept(self):
        if not CONCEPTS:
            return self.opportunities()
        self.get_page(random.choice(CONCEPTS), name="/gemensamt/begrepp/[id]/")

    @task(2)
    def edit_activity(self):
        if not NACKA_ACTIVITIES:
            return self.nacka_page()
        pk = random.choice(NACKA_ACTIVITIES)
        url = f"/verksamheter/{pk}/andra/"
        r = self.get_page(url, name="/verksamheter/[id]/andra/ [GET]")
        if not r.ok:
            return
        data = form_fields(r.text)
        if "version" not in data or "name" not in data:
            return
        data["description"] = f"Beskrivning uppdaterad under lasttest {random.randint(1, 10**6)}."
        with self.client.post(
            url,
            data=data,
            name="/verksamheter/[id]/andra/ [POST]",
            headers={"Referer": self.host + url},
            catch_response=True,
            allow_redirects=False,
        ) as p:
            if p.status_code == 302:
                p.success()
            elif p.status_code == 409:
                CONFLICTS["edit"] += 1
                p.success()  # a correct, clearly reported edit conflict
            else:
                p.failure(f"edit not saved: HTTP {p.status_code}")

    @task(1)
    def import_spreadsheet(self):
        # Only one import in ten Editor task picks, so well under 1 % of requests.
        if random.random() > 0.1:
            return self.activities_search()
        base = f"/organisationer/{NACKA}/import/"
        r = self.client.get(base, name="/organisationer/[code]/import/ [GET]")
        if not r.ok:
            return
        n = random.randint(1, 10**6)
        rows = ["Nyckel;Namn;Beskrivning;Typ;Årskostnad (kr);Volym per år;Volymenhet"]
        for i in range(5):
            rows.append(
                f"last-{n}-{i};Lasttest {n} tjänst {i};Skapad av lasttestet;tjänst;"
                f"{random.randint(10, 900)}\u00a0000,50;{random.randint(1, 5000)};ärenden"
            )
        body = ("\ufeff" + "\r\n".join(rows) + "\r\n").encode("utf-8")
        with self.client.post(
            base,
            name="/organisationer/[code]/import/ [POST]",
            data={"csrfmiddlewaretoken": self._csrf()},
            files={"file": (f"lasttest-{n}.csv", body, "text/csv")},
            headers={"Referer": self.host + base},
            catch_response=True,
            allow_redirects=False,
        ) as p:
            if p.status_code != 302:
                p.failure(f"upload refused: HTTP {p.status_code}")
                return
            match = JOB_RE.search(p.headers.get("Location", ""))
        if not match:
            return
        status_url = f"{base}{match.group(1)}/"
        if not self._wait(status_url, "bekrafta/", timeout=15):
            return
        with self.client.post(
            f"{status_url}bekrafta/",
            name="/organisationer/[code]/import/[id]/bekrafta/",
            data={"csrfmiddlewaretoken": self._csrf()},
            headers={"Referer": self.host + status_url},
            catch_response=True,
            allow_redirects=False,
        ) as p:
            if p.status_code != 302:
                p.failure(f"confirm refused: HTTP {p.status_code}")
                return
        self._wait(status_url, None, timeout=15)

    def _wait(self, url: str, marker: str | None, timeout: float) -> bool:
        """Polls the import status like the page's htmx does, bounded in time."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            r = self.client.get(
                url,
                name="/organisationer/[code]/import/[id]/ (poll)",
                headers={"HX-Request": "true"},
            )
            if not r.ok:
                return False
            if marker is not None and marker in r.text:
                return True
            if "hx-get" not in r.text:  # finished
                if marker is not None:
                    CONFLICTS["import_busy"] += 1
                return marker is None
            time.sleep(0.5)
        return False


NATIONAL_SESSIONS: list[dict[str, str]] = []
_national_used = 0
INITIATIVES: list[int] = []
LEDGERS: list[str] = []


def _next_national_session() -> dict[str, str] | None:
    """The next pre-opened national user's session, from LOAD_NATIONAL_SESSIONS_FILE."""
    global _national_used
    path = os.environ.get("LOAD_NATIONAL_SESSIONS_FILE")
    if path and not NATIONAL_SESSIONS:
        with open(path, encoding="utf-8") as fh:
            NATIONAL_SESSIONS.extend(json.load(fh))
    if not NATIONAL_SESSIONS:
        return None
    session = NATIONAL_SESSIONS[_national_used % len(NATIONAL_SESSIONS)]
    _national_used += 1
    return session


class NationalUser(Browser):
    """One of the national dataset's 10,000 users (bench/load/national.py: an administrator,
    editor or reader of a municipality, region or agency), only with ``--dataset national``:
    reads its own organisation's page and activities, the initiatives and their ledgers, and
    now and then logs out and in again as another national user through the form."""

    abstract = not os.environ.get("LOAD_NATIONAL_SESSIONS_FILE")
    weight = 1
    wait_time = between(1, 3)

    def on_start(self):
        super().on_start()
        self.own: str | None = None
        session = _next_national_session()
        if session is None:
            self.log_in()
            return
        host = urllib.parse.urlsplit(self.host).hostname
        for name, value in session.items():
            self.client.cookies.set(name, value, domain=host, path="/")

    def log_in(self):
        count = int(os.environ.get("LOAD_NATIONAL_USERS", "1"))
        username = os.environ.get("LOAD_NATIONAL_USERNAME", "nat%05d") % random.randint(1, count)
        r = self.client.get("/konto/logga-in/", name="/konto/logga-in/ [GET]")
        match = TOKEN_RE.search(r.text) if r.ok else None
        if not match:
            return
        with self.client.post(
            "/konto/logga-in/",
            name="/konto/logga-in/ [POST] (national user)",
            data={"csrfmiddlewaretoken": match.group(1), "username": username,
                  "password": os.environ.get("LOAD_NATIONAL_PASSWORD", ""), "next": "/"},
            headers={"Referer": self.host + "/konto/logga-in/"},
            catch_response=True,
            allow_redirects=False,
        ) as p:
            if p.status_code != 302:
                p.failure(f"login failed: HTTP {p.status_code}")
        self.own = None

    def _own_code(self) -> str | None:
        if self.own is None:
            r = self.get_page("/", name="/ (logged in)")
            match = OWN_ORG_RE.search(r.text) if r.ok else None
            self.own = match.group(1) if match else ""
        return self.own or None

    @task(3)
    def own_organisation(self):
        code = self._own_code()
        if code:
            self.get_page(f"/organisationer/{code}/", name="/organisationer/[code]/ (own)")

    @task(2)
    def own_activities(self):
        code = self._own_code()
        params = {"q": random.choice(ACTIVITY_SEARCHES)}
        if code:
            params["organisation"] = code
        self.get_page("/verksamheter/", params=params, name="/verksamheter/?q=… (national)")

    @task(3)
    def portfolio(self):
        r = self.get_page("/samverkan/", name="/samverkan/")
        if r.ok:
            _remember(INITIATIVE_RE, r.text, INITIATIVES, int)

    @task(3)
    def initiative(self):
        if not INITIATIVES:
            return self.portfolio()
        r = self.get_page(f"/samverkan/{random.choice(INITIATIVES)}/",
                          name="/samverkan/[id]/", catch_response=True)
        with r:
            if r.status_code in (403, 404):  # not public, and the user's organisation is no partner
                r.success()
            elif r.ok:
                _remember(LEDGER_RE, r.text, LEDGERS)

    @task(2)
    def ledger(self):
        if not LEDGERS:
            return self.initiative()
        with self.client.get(random.choice(LEDGERS), name="/samverkan/[id]/nyttorealisering/",
                             catch_response=True) as r:
            if r.status_code in (403, 404):  # another user's organisation takes part in it
                r.success()

    @task(1)
    def log_in_again(self):
        # About one task in 56: a new working day, another person at the same desk.
        if random.random() > 0.25:
            return self.portfolio()
        self.client.post("/konto/logga-ut/", data={"csrfmiddlewaretoken":
                                                   self.client.cookies.get("csrftoken", "")},
                         headers={"Referer": self.host + "/"}, name="/konto/logga-ut/",
                         allow_redirects=False)
        self.client.cookies.clear()
        self.log_in()


# Every request's end time, name and response time, for latency over time (run.py's
# "p95 by half-minute").
REQUESTS: list[tuple[float, str, float]] = []


@events.request.add_listener
def _note_request(request_type, name, response_time, exception, **kwargs):
    if os.environ.get("LOAD_REQUEST_LOG"):
        REQUESTS.append((time.time(), f"{request_type} {name}", response_time))


@events.test_stop.add_listener
def _write_results(environment, **kwargs):
    """The edit conflicts and the request log, to the files run.py names in the environment."""
    for variable, results in (("LOAD_CONFLICTS_FILE", CONFLICTS),
                              ("LOAD_REQUEST_LOG", REQUESTS)):
        path = os.environ.get(variable)
        if path:
            with open(path, "w", encoding="utf-8") as fh:
                json.dump(results, fh)
