"""What the load test's simulated users ask for: the URLs' parameters, the patterns that find
links in pages, and a form reader that posts a form back as a browser would.

Shared by ``locustfile.py`` (the load) and ``cpu.py`` (CPU time per kind of request), so that
both send the same traffic; this module imports nothing from locust (which patches the
standard library with gevent when imported).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

NACKA = "0182"
TOKEN_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
ACTIVITY_RE = re.compile(r'href="/verksamheter/(\d+)/"')
ORG_RE = re.compile(r'href="/organisationer/([0-9A-Za-z]+)/"')
CONCEPT_RE = re.compile(r'href="(/gemensamt/begrepp/[^"/]+/)"')
JOB_RE = re.compile(r"/organisationer/\d+/import/(\d+)/")
PICTURE_RE = re.compile(r'<img src="(/diagram/[0-9a-f]{64}\.svg)"')

FINDER_PHRASES = [
    "jag ska flytta hit",
    "bygga altan",
    "hemtjänst till mamma",
    "förskoleplats för mitt barn",
    "vi ska skilja oss",
    "starta restaurang",
    "parkeringstillstånd",
    "bostadsanpassning",
    "försörjningsstöd",
    "felanmälan gatlykta",
    "simskola för barn",
    "tappat jobbet",
    "min pappa har fått demens",
    "gifta oss i stadshuset",
    "bygglov för garage",
]
LIFE_EVENTS = [
    "aldras-stod-hemma",
    "anhorig-demens",
    "borja-forskola",
    "borja-skolan",
    "bygga-hus",
    "dodsfall-i-familjen",
    "ekonomiska-svarigheter",
    "fa-barn",
    "flytta-till-annan-kommun",
    "forlora-jobbet",
    "ga-i-pension",
    "gifta-sig",
    "oppna-restaurang",
    "skilsmassa",
    "starta-foretag",
    "skaffa-bostad",
    "ta-korkort",
]
COUNTIES = ["01", "03", "12", "14", "20", "25"]
KINDS = ["municipality", "region", "municipal_company", "state_agency", ""]
BANDS = ["0-5k", "10-15k", "20-30k", "50-100k", "100-200k", "200k+"]
SORTS = ["name", "-population", "tax", "population"]
ACTIVITY_SEARCHES = [
    "bygglov",
    "skola",
    "avgift",
    "tillstånd",
    "stöd",
    "bidrag",
    "parkering",
    "hemtjänst",
    "e-tjänst",
    "ansökan",
]

INITIATIVE_RE = re.compile(r'href="/samverkan/(\d+)/"')
LEDGER_RE = re.compile(r'href="(/samverkan/\d+/nyttorealisering/)"')
OWN_ORG_RE = re.compile(
    r'href="/organisationer/([^"/]+)/">\s*(?:Din organisations sida|Your organisation)')


class _FormParser(HTMLParser):
    """Collects the fields of the first ``<form>`` whose action matches, as a browser would post."""

    def __init__(self, want_action: str = "") -> None:
        super().__init__(convert_charrefs=True)
        self.want = want_action
        self.active = False
        self.done = False
        self.fields: list[tuple[str, str]] = []
        self._select: str | None = None
        self._select_value: str | None = None
        self._select_first: str | None = None
        self._textarea: str | None = None
        self._text: list[str] = []
        self._option: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and not self.done and a.get("method", "").lower() == "post":
            if a.get("action", "") in ("", self.want):  # the page's own form, not logout/language
                self.active = True
            return
        if not self.active:
            return
        if tag == "input":
            name, kind = a.get("name"), a.get("type", "text")
            if not name or kind in ("submit", "button", "file"):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.fields.append((name, a.get("value", "on")))
                return
            self.fields.append((name, a.get("value", "") or ""))
        elif tag == "select":
            self._select, self._select_value, self._select_first = a.get("name"), None, None
        elif tag == "option" and self._select:
            value = a.get("value", "")
            if self._select_first is None:
                self._select_first = value
            if "selected" in a:
                self._select_value = value
        elif tag == "textarea":
            self._textarea, self._text = a.get("name"), []

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if not self.active:
            return
        if tag == "select" and self._select:
            value = self._select_value if self._select_value is not None else self._select_first
            self.fields.append((self._select, value or ""))
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.fields.append((self._textarea, "".join(self._text).lstrip("\n")))
            self._textarea = None
        elif tag == "form":
            self.active, self.done = False, True


def form_fields(html: str, action: str = "") -> dict[str, str]:
    parser = _FormParser(action)
    parser.feed(html)
    return dict(parser.fields)

