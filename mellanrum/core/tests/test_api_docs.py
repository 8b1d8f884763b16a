"""The API documentation page: served by the app from vendored files, under the strict CSP."""

from __future__ import annotations

import json
import re

from django.contrib.staticfiles import finders
from django.test import Client

from mellanrum.core.middleware import CONTENT_SECURITY_POLICY


def test_api_docs_page_uses_only_local_assets_under_the_site_csp(client: Client, db: None) -> None:
    response = client.get("/api/docs")

    assert response.status_code == 200
    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    html = response.content.decode()
    assets = re.findall(r'<(?:script|link)[^>]*(?:src|href)="([^"]+)"', html)
    assert "/static/vendor/swagger-ui-5.36.0.bundle.js" in assets
    assert "/static/vendor/swagger-ui-5.36.0.css" in assets
    assert "/static/mellanrum/api-docs.js" in assets
    for asset in assets:
        assert asset.startswith("/static/"), asset
        assert finders.find(asset.removeprefix("/static/")), asset
    assert "cdn" not in html.lower() and "http://" not in html and "https://" not in html
    # No inline script runs: the only inline script element is a JSON data block.
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert inline == [' type="application/json" id="swagger-settings"']
    settings = re.search(r'id="swagger-settings">(.*?)</script>', html, re.S)
    assert settings and json.loads(settings.group(1))["url"] == "/api/openapi.json"


def test_vendored_swagger_ui_carries_its_licence() -> None:
    licence = finders.find("vendor/swagger-ui-5.36.0.LICENSE.txt")
    assert licence and "Apache License" in open(licence, encoding="utf-8").read()


def test_every_page_links_to_the_api_documentation(client: Client, db: None) -> None:
    html = client.get("/").content.decode()
    assert '<a href="/api/docs">' in html


def test_the_openapi_description_has_no_key_twice(client: Client, db: None) -> None:
    # Swagger UI parses the description as YAML, which refuses a key given twice in one
    # object (for example 200 and "200" side by side); JSON parsers silently keep the last.
    duplicates: list[str] = []

    def refuse_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
        keys = [key for key, _value in pairs]
        duplicates.extend(key for key in set(keys) if keys.count(key) > 1)
        return dict(pairs)

    json.loads(client.get("/api/openapi.json").content, object_pairs_hook=refuse_duplicates)
    assert duplicates == []
