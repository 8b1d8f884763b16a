"""A local stand-in for Kolada's v3 API, for tests: same URL scheme, JSON shape and paging
(``page``/``per_page``, ``next_url``), with modes that misbehave like a real server can."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

Key = tuple[str, str, int]  # (kpi, municipality, year)


@dataclass
class FakeKolada:
    # (kpi, municipality, year) -> [{"gender": "T", "value": 1.0}, ...]
    data: dict[Key, list[dict[str, Any]]] = field(default_factory=dict)
    # Modes: "" normal; "503" the first `failures` requests answer 503; "429" the first
    # answers 429 with Retry-After; "malformed" page `bad_page` is cut short; "down" 503 always;
    # "slow" answers after `delay` seconds.
    mode: str = ""
    failures: int = 1
    retry_after: str = "1"
    bad_page: int = 2
    delay: float = 0.0
    relative_next: bool = False  # next_url as a path instead of a full address
    requests: list[str] = field(default_factory=list)
    base_url: str = ""
    _server: ThreadingHTTPServer | None = None

    def set(self, kpi: str, municipality: str, year: int, total: float | None,
            women: float | None = None, men: float | None = None) -> None:
        values = [{"gender": "T", "value": total, "count": 1, "status": ""}]
        if women is not None or men is not None:
            values += [{"gender": "K", "value": women, "count": 1, "status": ""},
                       {"gender": "M", "value": men, "count": 1, "status": ""}]
        self.data[(kpi, municipality, year)] = values

    def start(self) -> FakeKolada:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

            def do_GET(self) -> None:  # noqa: N802
                fake.requests.append(self.path)
                status, headers, body = fake.answer(self.path, len(fake.requests))
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self._server.server_port}/v3"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def answer(self, raw_path: str, number: int) -> tuple[int, dict[str, str], bytes]:
        json_type = {"Content-Type": "application/json; charset=utf-8"}
        if self.delay:
            threading.Event().wait(self.delay)
        if self.mode == "down" or (self.mode == "503" and number <= self.failures):
            return 503, {"Content-Type": "text/html"}, b"<h1>Service Unavailable</h1>"
        if self.mode == "429" and number <= self.failures:
            return 429, {"Retry-After": self.retry_after}, b""
        parts = urlsplit(raw_path)
        segments = parts.path.strip("/").split("/")
        query = parse_qs(parts.query)
        if segments[:2] != ["v3", "data"] or len(segments) not in (6, 8):
            return 404, json_type, b'{"error": "Not found"}'
        named = dict(zip(segments[2::2], segments[3::2], strict=False))
        if set(named) - {"kpi", "municipality", "year"} or "kpi" not in named:
            return 404, json_type, b'{"error": "Not found"}'
        kpis = named["kpi"].split(",")
        years = [int(y) for y in named.get("year", "").split(",") if y]
        codes = named.get("municipality", "").split(",") if "municipality" in named else []
        if max(len(kpis), len(years), len(codes)) > 25:
            return 400, json_type, b'{"error": "Too many ids"}'
        items = [
            {"kpi": kpi, "municipality": code, "period": year, "values": values}
            for (kpi, code, year), values in sorted(self.data.items())
            if kpi in kpis and (not years or year in years) and (not codes or code in codes)
        ]
        page = int(query.get("page", ["1"])[0])
        per_page = int(query.get("per_page", ["5000"])[0])
        chunk = items[(page - 1) * per_page : page * per_page]
        more = page * per_page < len(items)
        base = "" if self.relative_next else self.base_url.rsplit("/v3", 1)[0]
        next_url = f"{base}{parts.path}?page={page + 1}&per_page={per_page}" if more else ""
        body = json.dumps(
            {"values": chunk, "count": len(chunk), "next_url": next_url,
             "previous_url": f"{base}{parts.path}?page={page - 1}&per_page={per_page}"
             if page > 1 else ""}
        ).encode()
        if self.mode == "malformed" and page == self.bad_page:
            body = body[: len(body) // 2]
        return 200, json_type, body
