"""A small client for Kolada's open API, version 3 (plain Python, no Django).

What it relies on (sources in docs/kolada.md):

* ``GET {base}/data/kpi/{kpis}/year/{years}`` and
  ``GET {base}/data/kpi/{kpis}/municipality/{codes}/year/{years}``; each path segment takes at
  most 25 comma-separated ids, so longer lists are sent in chunks.
* ``page`` and ``per_page`` query parameters (at most 5 000 per page); a response is
  ``{"values": [...], "count": n, "next_url": "..."}`` and the client follows ``next_url``
  until it is absent or empty.
* Each item is ``{"kpi": "N00945", "municipality": "0182", "period": 2023,
  "values": [{"gender": "T", "value": 12.3, "count": 1, "status": ""}, ...]}`` with at most
  one entry per gender (T total, K women, M men); ``value`` is ``null`` where Kolada has no
  value. Rows marked ``"isdeleted": true`` are dropped.

Transient failures (HTTP 5xx, timeouts, refused connections) are retried with exponential
back-off; HTTP 429 waits for ``Retry-After``. Everything else raises :class:`KoladaError`
with a one-line message. Nothing is returned until every page has been read, so the caller
can store all or nothing.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin

import httpx

__all__ = [
    "GENDERS",
    "KoladaClient",
    "KoladaError",
    "KoladaValue",
    "MAX_IDS_PER_SEGMENT",
    "MAX_PER_PAGE",
]

GENDERS = ("T", "K", "M")
MAX_IDS_PER_SEGMENT = 25
MAX_PER_PAGE = 5000
MAX_PAGES = 10_000

Progress = Callable[[int, int], None]  # (pages read, values read so far)


class KoladaError(Exception):
    """A sync that cannot complete. ``code`` names the kind of failure, ``params`` its details;
    ``str()`` is a one-line English message."""

    def __init__(self, code: str, message: str, **params: Any) -> None:
        super().__init__(message % params if params else message)
        self.code = code
        self.template = message
        self.params = params


@dataclass(frozen=True)
class KoladaValue:
    kpi: str
    municipality: str
    year: int
    gender: str
    value: float | None
    status: str = ""

    @property
    def key(self) -> tuple[str, str, int, str]:
        return (self.kpi, self.municipality, self.year, self.gender)


def _chunks(items: Sequence[str], size: int = MAX_IDS_PER_SEGMENT) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def _retry_after_seconds(header: str | None) -> float | None:
    if not header:
        return None
    header = header.strip()
    if header.isdigit():
        return float(header)
    try:
        moment = parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - time.time())


@dataclass
class KoladaClient:
    base_url: str = "https://api.kolada.se/v3"
    timeout: float = 30.0
    retries: int = 3
    backoff: float = 1.0  # seconds before the first retry; doubled for each further one
    max_wait: float = 120.0  # longest Retry-After honoured before giving up
    per_page: int = MAX_PER_PAGE
    sleep: Callable[[float], None] = time.sleep
    transport: httpx.BaseTransport | None = field(default=None, repr=False)

    def urls(
        self, kpis: Sequence[str], years: Sequence[int], municipalities: Sequence[str] = ()
    ) -> list[str]:
        """The first-page address of every request a sync makes."""
        base = self.base_url.rstrip("/")
        per_page = max(1, min(self.per_page, MAX_PER_PAGE))
        year_ids = [str(y) for y in years]
        result = []
        for kpi_chunk in _chunks(list(kpis)):
            for year_chunk in _chunks(year_ids):
                kpi_part = ",".join(kpi_chunk)
                year_part = ",".join(year_chunk)
                if municipalities:
                    for code_chunk in _chunks(list(municipalities)):
                        result.append(
                            f"{base}/data/kpi/{kpi_part}/municipality/{','.join(code_chunk)}"
                            f"/year/{year_part}?page=1&per_page={per_page}"
                        )
                else:
                    result.append(
                        f"{base}/data/kpi/{kpi_part}/year/{year_part}"
                        f"?page=1&per_page={per_page}"
                    )
        return result

    def fetch_values(
        self,
        kpis: Sequence[str],
        years: Sequence[int],
        municipalities: Sequence[str] = (),
        *,
        progress: Progress | None = None,
    ) -> list[KoladaValue]:
        """Every value of these KPIs and years (for these municipalities, or all of them)."""
        values: dict[tuple[str, str, int, str], KoladaValue] = {}
        pages = 0
        with httpx.Client(
            timeout=self.timeout, transport=self.transport, follow_redirects=True,
            headers={"Accept": "application/json", "User-Agent": "Mellanrum (Kolada sync)"},
        ) as http:
            for url in self.urls(kpis, years, municipalities):
                seen: set[str] = set()
                next_url: str | None = url
                while next_url:
                    if next_url in seen or len(seen) >= MAX_PAGES:
                        raise KoladaError(
                            "paging", "Kolada's paging did not end (page %(url)s came again)",
                            url=next_url,
                        )
                    seen.add(next_url)
                    body = self._get(http, next_url)
                    page_values, following = parse_page(body, next_url)
                    # An address relative to the page is resolved against it.
                    next_url = urljoin(next_url, following) if following else None
                    for value in page_values:
                        values[value.key] = value
                    pages += 1
                    if progress is not None:
                        progress(pages, len(values))
        return sorted(values.values(), key=lambda v: v.key)

    def _get(self, http: httpx.Client, url: str) -> bytes:
        attempt = 0
        while True:
            try:
                response = http.get(url)
            except httpx.TimeoutException:
                failure = KoladaError(
                    "timeout", "Kolada did not answer within %(seconds)s seconds (%(url)s)",
                    seconds=f"{self.timeout:g}", url=url,
                )
            except httpx.TransportError as exc:
                failure = KoladaError(
                    "network", "Could not reach Kolada at %(url)s: %(reason)s",
                    url=url, reason=str(exc) or type(exc).__name__,
                )
            else:
                if response.status_code == 200:
                    return response.content
                if response.status_code == 429:
                    wait = _retry_after_seconds(response.headers.get("Retry-After"))
                    if attempt < self.retries and (wait is None or wait <= self.max_wait):
                        attempt += 1
                        self.sleep(wait if wait is not None else self._backoff(attempt))
                        continue
                    raise KoladaError(
                        "rate_limited",
                        "Kolada limited the request rate and asked to wait too long (%(url)s)",
                        url=url,
                    )
                if response.status_code < 500:
                    raise KoladaError(
                        "http", "Kolada answered HTTP %(status)s for %(url)s",
                        status=response.status_code, url=url,
                    )
                failure = KoladaError(
                    "http", "Kolada answered HTTP %(status)s for %(url)s",
                    status=response.status_code, url=url,
                )
            if attempt >= self.retries:
                raise failure
            attempt += 1
            self.sleep(self._backoff(attempt))

    def _backoff(self, attempt: int) -> float:
        return float(self.backoff * 2 ** (attempt - 1))


def _bad(url: str, what: str) -> KoladaError:
    return KoladaError(
        "malformed", "Kolada sent a response that is not valid JSON of the expected shape "
        "(%(what)s) at %(url)s", what=what, url=url,
    )


def _number(raw: Any, url: str) -> float | None:
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise _bad(url, "a value is not a number")
    number = float(raw)
    if not math.isfinite(number):
        raise _bad(url, "a value is not a finite number")
    return number


def _year(raw: Any, url: str) -> int:
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.isdigit() and len(raw) == 4:
        return int(raw)
    raise _bad(url, "a period is not a year")


def parse_page(body: bytes, url: str) -> tuple[list[KoladaValue], str | None]:
    """The values of one page and the address of the next (``None`` on the last page)."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise _bad(url, "it could not be parsed; it may be cut short") from None
    if not isinstance(data, dict) or not isinstance(data.get("values"), list):
        raise _bad(url, "no list of values")
    next_url = data.get("next_url")
    if next_url is not None and not isinstance(next_url, str):
        raise _bad(url, "next_url is not an address")
    return list(_items(data["values"], url)), next_url or None


def _items(items: Iterable[Any], url: str) -> Iterator[KoladaValue]:
    for item in items:
        if not isinstance(item, dict):
            raise _bad(url, "an item is not an object")
        kpi, code, inner = item.get("kpi"), item.get("municipality"), item.get("values")
        if not isinstance(kpi, str) or not isinstance(code, str) or not isinstance(inner, list):
            raise _bad(url, "an item lacks kpi, municipality or values")
        year = _year(item.get("period"), url)
        if item.get("isdeleted") is True:
            continue
        for entry in inner:
            if not isinstance(entry, dict) or entry.get("gender") not in GENDERS:
                raise _bad(url, "a value has no gender T, K or M")
            if entry.get("isdeleted") is True:
                continue
            status = entry.get("status") or ""
            yield KoladaValue(
                kpi=kpi, municipality=code, year=year, gender=entry["gender"],
                value=_number(entry.get("value"), url), status=str(status)[:40],
            )
