"""The authorization matrix: every route and API operation × every role × every method.

Every URL pattern the Django URL resolver knows (pages, downloads, the admin) and every
operation of the OpenAPI description (``/api/openapi.json``) is requested by each of these
roles, and the answer is compared with the expectation table below:

    anonymous     not logged in
    reader        reader of Alfa, the organisation that owns the fixtures
    editor        editor of Alfa (also coordinates the network and organises the event)
    admin         administrator of Alfa
    other_editor  editor of Beta, which has nothing to do with the fixtures
    partner       editor of Gamma, a partner of Alfa's private initiative (and network member)
    non_partner   reader of Delta, which is no partner of anything
    superuser     a superuser without an organisation

Methods: pages are requested with GET and POST (their forms use no other method); each API
operation with its own method, and every API path with the methods it does not describe, which
must be answered 405.

The fixtures are built once per module, inside a transaction that is rolled back at the end;
each request runs in a savepoint that is rolled back too, so an allowed delete does not take
the object away from the next role. Nothing here depends on SQLite: CI runs it on PostgreSQL.

Outcomes, one word per role in the order of ``ROLES`` (the columns line up in the table):

    ok      allowed: anything but 401, 403, 404, 405 or a redirect to the log-in page. Writes are
            sent with made-up data, so an allowed write may well answer 400, 409 or 422: it
            passed the gate, which is what the matrix proves.
    login   redirected to the log-in page (pages) or to the admin's log-in page (admin)
    401     the API asks for credentials
    403     refused
    404     hidden: the object is not shown to this user at all
    405     this method is not accepted by the route

Whatever the outcome, a request must not answer 500, and every GET and every refused request
(anything but ``ok``) must leave the data unchanged (counts of every table of the domain and
the audit log, and the names of a sample of objects).

How to add a route
------------------
1. Pages: add a line to ``WEB`` keyed by the URL name (``"namespace:name"``), with the outcome
   of GET and of POST (``post=`` may be left out for a page that only reads; a POST is then
   expected to be answered like the GET). Name the fixture that fills each URL parameter
   when the default for that parameter name (``DEFAULT_ARGS``) is not right, for example
   ``pk="activity"``. A new fixture goes into ``_build()`` under a new name. Where a view
   checks permission only once its form is valid, give the POST's fields with ``data=``
   (``"@statement"`` is the primary key of the fixture ``statement``).
2. API: add a line to ``API`` keyed by ``"METHOD /api/path"`` as in the OpenAPI description;
   path parameters are filled by ``DEFAULT_ARGS`` (or named: ``op(API_READ, pk="activity")``),
   the body is made from the
   operation's schema (``body=`` overrides fields when the made-up body is not enough to reach
   the gate).
3. Decide each outcome from the rules in the app's ``access.py`` and ``core/access.py``, never
   by copying what the code does now. To compare, this prints the answers the app gives today
   in the table's format: ``MATRIX_PRINT=1 pytest -s tests/test_authorization_matrix.py``.
4. The admin's pages need no line: ``test_admin_is_for_superusers_only`` requests every one of
   them as a visitor, Alfa's administrator and a superuser.
A route that is missing from the tables fails ``test_every_route_has_an_expectation`` with the
line to add; an entry for a route that no longer exists fails it too.
"""

from __future__ import annotations

import datetime
import functools
import io
import json
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from http.cookies import SimpleCookie
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from mellanrum.api import api
from mellanrum.benefits import actions as ledger_actions
from mellanrum.collaborations import actions as collaborations
from mellanrum.collaborations import workshop_actions as workshop
from mellanrum.collaborations.consent_actions import (
    do_add_formal_decision,
    do_add_measurement,
    do_answer_invitation,
    do_create_proposal,
)
from mellanrum.collaborations.models import Initiative
from mellanrum.commonality import actions as commonality
from mellanrum.commonality.analysis import Scope
from mellanrum.commonality.models import Concept, Decision, LearnedRule
from mellanrum.community import actions as community
from mellanrum.core.models import User
from mellanrum.health import actions as health
from mellanrum.journeys.actions import StepData, do_save_life_event
from mellanrum.kolada.models import KoladaSync
from mellanrum.landscape import actions as landscape
from mellanrum.landscape.models import Activity, Contact, ImportJob, Organisation
from mellanrum.lib import charts

# The fixtures of world() live in a transaction of their own; the mark makes pytest-django set
# up the test database (and wraps each test in a savepoint of that transaction).
pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "reader", "editor", "admin", "other_editor", "partner", "non_partner",
         "superuser")
OUTCOMES = {"ok", "login", "401", "403", "404", "405"}

# --- Expectations --------------------------------------------------------------------------
# Rows that recur, named after the rule they follow. Columns, in the order of ROLES:
#                anonymous reader editor admin other_editor partner non_partner superuser

PUBLIC =        "ok        ok     ok     ok    ok           ok      ok          ok"
LOGGED_IN =     "login     ok     ok     ok    ok           ok      ok          ok"
NOT_ALLOWED =   "405       405    405    405   405          405     405         405"
# GET of a route that takes only POST, checked after the log-in.
POST_ONLY =     "login     405    405    405   405          405     405         405"
# Alfa's data: its editors and administrators, and superusers, change it.
ALFA_WRITE =    "login     403    ok     ok    403          403     403         ok"
# Any editor (of any organisation) or a superuser: concepts, networks, events, initiatives.
ANY_EDITOR =    "login     403    ok     ok    ok           ok      403         ok"
# Alfa's audit log: its administrators and superusers.
ALFA_AUDIT =    "login     403    403    ok    403          403     403         ok"
# Alfa's private initiative: partners (Alfa, Gamma) read; others are not told it exists.
PARTNERS_READ = "login     ok     ok     ok    404          ok      404         ok"
# ... and the lead's (Alfa's) editors change it.
LEAD_WRITE =    "login     403    ok     ok    404          403     404         ok"
# ... and each partner's editors write for their own organisation.
PARTNER_WRITE = "login     403    ok     ok    404          ok      404         ok"
# Gamma's invitation to the initiative: Gamma's editors (and superusers) answer it.
INVITED_ANSWER = "login    403    403    403   404          ok      404         ok"
API_INVITED_ANSWER = "401  403    403    403   404          ok      404         ok"
# The health survey of the initiative: partners read, the lead's editors manage.
HEALTH_READ =   PARTNERS_READ
HEALTH_WRITE =  LEAD_WRITE
# Alfa's members-only network, coordinated by Alfa's editor; Gamma's editor is a member.
# Others are not told it exists (a visitor who is not logged in is asked to log in first).
MEMBERS_READ =  "404       404    ok     404   404          ok      404         ok"
MEMBERS_WRITE = "login     404    ok     404   404          ok      404         ok"
COORDINATOR =   "login     404    ok     404   404          403     404         ok"
# Synonyms are deleted by whoever added them (Alfa's editor) and superusers.
CREATOR =       "login     403    ok     403   403          403     403         ok"
# The life-event catalogue: superusers and users given the permission (none of these roles).
SUPERUSER_ONLY = "login     403    403    403   403          403     403         ok"
# A draft recorded on Gamma's behalf: Gamma's editors (and superusers) confirm it.
CONFIRMER =     "login     403    403    403   404          ok      404         ok"
API_CONFIRMER = "401       403    403    403   404          ok      404         ok"
# An organisation's own administrators: its web site, its audit log.
ALFA_ADMIN =    "login     403    403    ok    403          403     403         ok"
# The admin: superusers only (the others are sent to the admin's log-in page).
ADMIN =         "login     login  login  login login        login   login       ok"

API_PUBLIC =    PUBLIC
API_READ =      "401       ok     ok     ok    ok           ok      ok          ok"
API_ALFA_WRITE = "401      403    ok     ok    403          403     403         ok"
API_ANY_EDITOR = "401      403    ok     ok    ok           ok      403         ok"
API_PARTNERS_READ = "401   ok     ok     ok    404          ok      404         ok"
API_LEAD_WRITE = "401      403    ok     ok    404          403     404         ok"
API_PARTNER_WRITE = "401   403    ok     ok    404          ok      404         ok"
API_MEMBERS_READ = "401    404    ok     404   404          ok      404         ok"


@dataclass(frozen=True)
class Web:
    """The outcomes of GET and POST on a page, and the fixtures that fill its parameters."""

    get: str
    post: str | None = None
    args: dict[str, str] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)

    def outcome(self, method: str) -> str:
        return self.get if method == "GET" else (self.post or self.get)


def web(get: str, post: str | None = None, data: dict[str, Any] | None = None,
        **args: str) -> Web:
    return Web(get, post, args, data or {})


@dataclass(frozen=True)
class Op:
    """The outcome of one API operation, and what fills its parameters and body."""

    expected: str
    args: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] = field(default_factory=dict)


def op(expected: str, body: dict[str, Any] | None = None, **args: str) -> Op:
    return Op(expected, args, body or {})


# Every URL parameter is filled from a fixture of ``world()``; these are the defaults by the
# parameter's name (``=`` marks a literal). A route whose ``pk`` means something else names
# its fixture in the table.
DEFAULT_ARGS = {
    "code": "alfa.code",
    "job_id": "import_job",
    "kind": "=goal",
    "item_pk": "goal",
    "concept_id": "concept",
    "slug": "life_event",
    "life_event": "life_event",
    "token": "token",
    "fmt": "=csv",
    "key": "chart",
    "member_pk": "membership",
    "activity_id": "activity",
    "initiative_id": "initiative",
    "proposal_id": "proposal",
    "goal_id": "goal",
    "row_id": "ledger_row",
    "event_id": "event",
    "network_id": "network",
    "round_id": "round",
    "run_id": "run",
    "number": "=1",
    "statement_id": "draft_statement",
}

WEB: dict[str, Web] = {
    # core
    "home":                              web(PUBLIC),
    "about":                             web(PUBLIC),
    "login":                             web(PUBLIC),
    "logout":                            web(NOT_ALLOWED, PUBLIC),
    "account":                           web(LOGGED_IN, data={"name": "matrisens nyckel",
                                                              "lifetime_days": "30"}),
    "password_change":                   web(LOGGED_IN),
    "chart":                             web(PUBLIC, NOT_ALLOWED),
    "set_language":                      web(PUBLIC),
    "api:openapi-json":                  web(PUBLIC),
    "api:openapi-view":                  web(PUBLIC),
    # landscape
    "landscape:organisations":           web(PUBLIC),
    "landscape:organisation":            web(PUBLIC),
    "landscape:activity_create":         web(ALFA_WRITE),
    "landscape:contact_create":          web(ALFA_WRITE),
    "landscape:import":                  web(ALFA_WRITE),
    "landscape:import_status":           web(ALFA_WRITE),
    "landscape:import_confirm":          web(POST_ONLY, ALFA_WRITE),
    "landscape:import_retry":            web(POST_ONLY, ALFA_WRITE),
    "landscape:import_cancel":           web(POST_ONLY, ALFA_WRITE),
    "landscape:export":                  web(LOGGED_IN),
    "landscape:audit_log":               web(ALFA_AUDIT),
    "landscape:activities":              web(LOGGED_IN),
    "landscape:activity":                web(LOGGED_IN, pk="activity"),
    "landscape:activity_edit":           web(ALFA_WRITE, pk="activity",
                                             data={"name": "Ändrad av matrisen"}),
    "landscape:activity_delete":         web(ALFA_WRITE, pk="activity"),
    "landscape:arrangement_edit":        web(ALFA_WRITE, pk="activity",
                                             data={"form": "egen"}),
    "landscape:contact_edit":            web(ALFA_WRITE, pk="contact",
                                             data={"name": "Ändrad av matrisen"}),
    "landscape:contact_delete":          web(ALFA_WRITE, pk="contact"),
    "landscape:template":                web(PUBLIC),
    "landscape:import_mapping":          web(POST_ONLY, ALFA_WRITE),
    "landscape:import_remap":            web(POST_ONLY, ALFA_WRITE),
    "landscape:website_edit":            web(ALFA_ADMIN, data={"website": "https://alfa.example.se"}),
    "landscape:website_confirm":         web(POST_ONLY, ALFA_ADMIN),
    # kolada (the key figures are public, like Kolada itself)
    "kolada:kpis":                       web(PUBLIC),
    "kolada:kpi":                        web(PUBLIC, kpi_id="=N01951"),
    "kolada:kpi_export":                 web(PUBLIC, kpi_id="=N01951"),
    "kolada:sync":                       web(SUPERUSER_ONLY),
    "kolada:sync_status":                web(SUPERUSER_ONLY, pk="kolada_sync"),
    "kolada:concept_link":               web(POST_ONLY, ANY_EDITOR, data={"kpi": "N01951"}),
    "kolada:concept_unlink":             web(POST_ONLY, ANY_EDITOR, data={"kpi": "N01951"}),
    # benefits
    "benefits:calculator":               web(PUBLIC),
    "benefits:calculator_upload":        web(PUBLIC),
    # commonality
    "commonality:overview":              web(LOGGED_IN),
    "commonality:start_run":             web(POST_ONLY, ANY_EDITOR),
    "commonality:run":                   web(LOGGED_IN, pk="run"),
    "commonality:matrix":                web(LOGGED_IN),
    "commonality:opportunities":         web(LOGGED_IN),
    "commonality:opportunities_xlsx":    web(LOGGED_IN),
    "commonality:rerank":                web(POST_ONLY, ANY_EDITOR),
    "commonality:law":                   web(LOGGED_IN),
    "commonality:start_initiative":      web(POST_ONLY, ANY_EDITOR),
    "commonality:thesaurus":             web(LOGGED_IN, ANY_EDITOR),
    "commonality:thesaurus_delete":      web(POST_ONLY, CREATOR, pk="synonyms"),
    "commonality:learned_delete":        web(POST_ONLY, ANY_EDITOR, pk="learned"),
    "commonality:concept":               web(LOGGED_IN),
    "commonality:decide":                web(POST_ONLY, ANY_EDITOR),
    "commonality:starter_catalogue":     web(ALFA_WRITE),
    # journeys
    "journeys:life_events":              web(PUBLIC),
    "journeys:life_event_create":        web(SUPERUSER_ONLY),
    "journeys:export":                   web(PUBLIC),
    "journeys:import":                   web(SUPERUSER_ONLY),
    "journeys:life_event":               web(PUBLIC),
    "journeys:life_event_edit":          web(SUPERUSER_ONLY),
    "journeys:life_event_delete":        web(NOT_ALLOWED, SUPERUSER_ONLY),
    "journeys:finder":                   web(PUBLIC),
    # collaborations
    # Visitors who are not logged in see the portfolio page, empty: no initiative is theirs.
    "collaborations:portfolio":          web(PUBLIC),
    "collaborations:portfolio_export":   web(LOGGED_IN),
    "collaborations:initiative_create":  web(ANY_EDITOR),
    "collaborations:initiative":         web(PARTNERS_READ, pk="initiative"),
    "collaborations:initiative_edit":    web(LEAD_WRITE, pk="initiative",
                                             data={"title": "Ändrad av matrisen"}),
    "collaborations:item_add":           web(LEAD_WRITE, pk="initiative"),
    "collaborations:item_edit":          web(LEAD_WRITE, pk="initiative"),
    "collaborations:item_remove":        web(NOT_ALLOWED, LEAD_WRITE, pk="initiative"),
    "collaborations:statement_add":      web(PARTNER_WRITE, pk="initiative"),
    "collaborations:statement_edit":     web(LEAD_WRITE, pk="statement"),
    "collaborations:statement_remove":   web(NOT_ALLOWED, LEAD_WRITE, pk="statement"),
    "collaborations:alignment":          web(PARTNERS_READ, LEAD_WRITE, pk="initiative",
                                             data={"statement": "@statement", "goal": "@goal",
                                                   "stance": "supports"}),
    "benefits:ledger":             web(PARTNERS_READ, pk="initiative"),
    "benefits:ledger_export":      web(PARTNERS_READ, pk="initiative"),
    "benefits:ledger_row_add":     web(PARTNER_WRITE, pk="initiative"),
    "benefits:economics_edit":     web(LEAD_WRITE, pk="initiative"),
    "benefits:ledger_row_edit":    web(LEAD_WRITE, pk="ledger_row"),
    "benefits:ledger_row_remove":  web(NOT_ALLOWED, LEAD_WRITE, pk="ledger_row"),
    "benefits:cost_split":         web(PARTNERS_READ, LEAD_WRITE, pk="initiative"),
    "benefits:confirm_split_share": web(POST_ONLY, PARTNER_WRITE, pk="initiative"),
    "benefits:budget_sheet":       web(PARTNERS_READ, pk="initiative"),
    "benefits:budget_sheet_export": web(PARTNERS_READ, pk="initiative"),
    "benefits:budget_line_edit":   web(LEAD_WRITE, pk="initiative"),
    "collaborations:invitation_answer":  web(NOT_ALLOWED, INVITED_ANSWER, pk="initiative",
                                             data={"organisation": "9903", "answer": "accept"}),
    "collaborations:proposals":          web(PARTNERS_READ, LEAD_WRITE, pk="initiative"),
    "collaborations:proposal":           web(PARTNERS_READ, PARTNER_WRITE, pk="proposal"),
    "collaborations:proposal_close":     web(NOT_ALLOWED, LEAD_WRITE, pk="proposal"),
    "collaborations:formal_decision_add": web(PARTNER_WRITE, pk="initiative"),
    "collaborations:protocol":           web(PARTNERS_READ, NOT_ALLOWED, pk="formal_decision"),
    "collaborations:goal":               web(PARTNERS_READ, LEAD_WRITE, pk="goal"),
    "collaborations:goal_tracking":      web(LEAD_WRITE, pk="goal"),
    "collaborations:measurement_remove": web(NOT_ALLOWED, LEAD_WRITE, pk="goal",
                                             item_pk="measurement"),
    # The workshop: the facilitator (today the lead's editors) records on behalf of partners;
    # the partner confirms; the facilitator or either partner sets a tension.
    "collaborations:record_on_behalf":   web(LEAD_WRITE, pk="initiative"),
    "collaborations:statement_confirm":  web(NOT_ALLOWED, CONFIRMER, pk="draft_statement"),
    "collaborations:tensions":           web(PARTNERS_READ, PARTNER_WRITE, pk="initiative",
                                             data={"first": "@statement",
                                                   "second": "@draft_statement",
                                                   "stance": "tension"}),
    "collaborations:principles":         web(PARTNERS_READ, pk="initiative"),
    "collaborations:principles_draft":   web(LEAD_WRITE, pk="initiative"),
    "collaborations:principles_version": web(PARTNERS_READ, pk="initiative"),
    "collaborations:principles_approve": web(NOT_ALLOWED, PARTNER_WRITE, pk="initiative"),
    "collaborations:agreement":          web(PARTNERS_READ, pk="initiative"),
    # health
    "health:initiative":                 web(HEALTH_READ, pk="initiative"),
    "health:round_create":               web(HEALTH_WRITE, pk="initiative"),
    "health:round":                      web(HEALTH_READ, pk="round"),
    "health:round_close":                web(NOT_ALLOWED, HEALTH_WRITE, pk="round"),
    "health:invitations":                web(HEALTH_WRITE, pk="round"),
    "health:round_export":               web(HEALTH_READ, pk="round"),
    "health:survey":                     web(PUBLIC),
    # community
    "community:activity_counterparts":   web(LOGGED_IN, pk="activity"),
    "community:concept_counterparts":    web(LOGGED_IN),
    "community:networks":                web(PUBLIC),
    "community:network_create":          web(ANY_EDITOR),
    "community:network":                 web(MEMBERS_READ, pk="network"),
    "community:network_edit":            web(COORDINATOR, pk="network"),
    "community:network_join":            web(NOT_ALLOWED, MEMBERS_WRITE, pk="network"),
    "community:network_leave":           web(NOT_ALLOWED, MEMBERS_WRITE, pk="network"),
    "community:network_item_add":        web(COORDINATOR, pk="network", kind="=organisation"),
    "community:network_item_remove":     web(NOT_ALLOWED, COORDINATOR, pk="network",
                                             kind="=organisation", item_pk="alfa"),
    "community:network_member":          web(NOT_ALLOWED, COORDINATOR, pk="network"),
    "community:events":                  web(PUBLIC),
    "community:event_create":            web(ANY_EDITOR),
    "community:event":                   web(PUBLIC, pk="event"),
    "community:event_edit":              web(ALFA_WRITE, pk="event",
                                             data={"title": "Ändrad av matrisen"}),
    "community:event_delete":            web(NOT_ALLOWED, ALFA_WRITE, pk="event"),
    "community:event_register":          web(NOT_ALLOWED, LOGGED_IN, pk="event"),
    "community:event_cancel":            web(NOT_ALLOWED, LOGGED_IN, pk="event"),
    "community:event_attendees":         web(ALFA_WRITE, pk="event"),
    "community:event_calendar":          web(PUBLIC, pk="event"),
}

API: dict[str, Op] = {
    # landscape
    "GET /api/organisations":                          op(API_READ),
    "GET /api/organisations/{code}":                   op(API_READ),
    "GET /api/activities":                             op(API_READ),
    "GET /api/activities/{pk}":                        op(API_READ, pk="activity"),
    "PUT /api/activities/{pk}":                        op(API_ALFA_WRITE, pk="activity"),
    "DELETE /api/activities/{pk}":                     op(API_ALFA_WRITE, pk="activity"),
    "POST /api/organisations/{code}/activities":       op(API_ALFA_WRITE),
    # benefits
    "POST /api/fairshare/compare":                     op(API_READ),
    # open reference data (kolada, journeys): no login, rate-limited per client address
    "GET /api/reference/organisations":                op(API_PUBLIC),
    "GET /api/reference/organisations/{code}":         op(API_PUBLIC, code="reference"),
    "GET /api/reference/associations":                 op(API_PUBLIC),
    "GET /api/reference/similar":                      op(API_PUBLIC),
    "GET /api/reference/similar/{code}":               op(API_PUBLIC, code="=0182"),
    "GET /api/reference/kpis":                         op(API_PUBLIC),
    "GET /api/reference/kpis/{kpi_id}/values":         op(API_PUBLIC, kpi_id="=N01951"),
    "GET /api/reference/life-events":                  op(API_PUBLIC),
    # commonality
    "GET /api/concepts":                               op(API_READ),
    "GET /api/concepts/{concept_id}":                  op(API_READ),
    "GET /api/concepts/{concept_id}/candidates":       op(API_READ),
    "GET /api/opportunities":                          op(API_READ),
    "GET /api/organisations/{code}/similar":           op(API_READ),
    "POST /api/commonality/runs":                      op(API_ANY_EDITOR),
    "GET /api/commonality/runs/{run_id}":              op(API_READ),
    "POST /api/concepts/{concept_id}/decisions":       op(API_ANY_EDITOR),
    "GET /api/organisations/{code}/starter-catalogue":  op(API_ALFA_WRITE),
    "POST /api/organisations/{code}/starter-catalogue": op(API_ALFA_WRITE),
    # journeys
    "GET /api/life-events":                            op(API_PUBLIC),
    "GET /api/journeys/{life_event}":                  op(API_PUBLIC),
    "GET /api/find":                                   op(API_PUBLIC),
    # collaborations
    "GET /api/initiatives":                            op(API_READ),
    "POST /api/initiatives":                           op(API_ANY_EDITOR),
    "GET /api/initiatives/{initiative_id}":            op(API_PARTNERS_READ),
    "PUT /api/initiatives/{initiative_id}":            op(API_LEAD_WRITE),
    "POST /api/initiatives/{initiative_id}/statements": op(API_PARTNER_WRITE),
    "GET /api/portfolio":                              op(API_READ),
    "GET /api/initiatives/{initiative_id}/ledger":     op(API_PARTNERS_READ),
    "POST /api/initiatives/{initiative_id}/ledger":    op(API_PARTNER_WRITE),
    "POST /api/initiatives/{initiative_id}/split/share": op(API_PARTNER_WRITE),
    "PUT /api/initiatives/{initiative_id}/ledger/{row_id}": op(API_LEAD_WRITE),
    "DELETE /api/initiatives/{initiative_id}/ledger/{row_id}": op(API_LEAD_WRITE),
    "GET /api/initiatives/{initiative_id}/economics":  op(API_PARTNERS_READ),
    "PUT /api/initiatives/{initiative_id}/economics":  op(API_LEAD_WRITE),
    "GET /api/initiatives/{initiative_id}/split":      op(API_PARTNERS_READ),
    "POST /api/initiatives/{initiative_id}/split":     op(API_LEAD_WRITE),
    "GET /api/initiatives/{initiative_id}/budget/{code}": op(API_PARTNERS_READ),
    "POST /api/initiatives/{initiative_id}/statements/on-behalf": op(API_LEAD_WRITE),
    "POST /api/initiatives/{initiative_id}/statements/{statement_id}/confirm":
        op(API_CONFIRMER),
    "GET /api/initiatives/{initiative_id}/tensions":   op(API_PARTNERS_READ),
    "PUT /api/initiatives/{initiative_id}/tensions":   op(API_PARTNER_WRITE),
    "GET /api/initiatives/{initiative_id}/principles": op(API_PARTNERS_READ),
    "POST /api/initiatives/{initiative_id}/principles": op(
        API_LEAD_WRITE, body={"principles": [{"text": "Ett", "statements": []}]}),
    "POST /api/initiatives/{initiative_id}/principles/{number}/approve": op(API_PARTNER_WRITE),
    "GET /api/initiatives/{initiative_id}/agreement.docx": op(API_PARTNERS_READ),
    # health
    "GET /api/invitations":                            op(API_READ),
    "POST /api/initiatives/{initiative_id}/partners":  op(API_LEAD_WRITE),
    "POST /api/initiatives/{initiative_id}/invitation": op(API_INVITED_ANSWER,
                                                          {"organisation": "9903"}),
    "GET /api/initiatives/{initiative_id}/proposals":  op(API_PARTNERS_READ),
    "POST /api/initiatives/{initiative_id}/proposals": op(API_LEAD_WRITE),
    "GET /api/proposals/{proposal_id}":                op(API_PARTNERS_READ),
    "POST /api/proposals/{proposal_id}/answers":       op(API_PARTNER_WRITE),
    "POST /api/proposals/{proposal_id}/close":         op(API_LEAD_WRITE),
    "GET /api/initiatives/{initiative_id}/formal-decisions": op(API_PARTNERS_READ),
    "POST /api/initiatives/{initiative_id}/formal-decisions": op(API_PARTNER_WRITE),
    "GET /api/goals/{goal_id}/values":                 op(API_PARTNERS_READ),
    "POST /api/goals/{goal_id}/values":                op(API_LEAD_WRITE),
    "GET /api/initiatives/{initiative_id}/health/rounds": op(API_PARTNERS_READ),
    "GET /api/health/rounds/{round_id}/results":       op(API_PARTNERS_READ),
    # community
    "GET /api/events":                                 op(API_READ),
    "POST /api/events":                                op(API_ANY_EDITOR),
    "GET /api/events/{event_id}":                      op(API_READ),
    "POST /api/events/{event_id}/registration":        op(API_READ),
    "DELETE /api/events/{event_id}/registration":      op(API_READ),
    "GET /api/events/{event_id}/attendees":            op(API_ALFA_WRITE),
    "GET /api/networks":                               op(API_READ),
    "GET /api/networks/{network_id}":                  op(API_MEMBERS_READ),
    "POST /api/networks/{network_id}/membership":      op(API_MEMBERS_READ),
    "DELETE /api/networks/{network_id}/membership":    op(API_MEMBERS_READ),
    "GET /api/activities/{activity_id}/counterparts":  op(API_READ),
}


# --- The world the routes are requested in ---------------------------------------------------


@dataclass
class World:
    values: dict[str, Any]
    clients: dict[str, Client]
    cookies: dict[str, str]

    def arg(self, name: str) -> str:
        """The value of a fixture (``"activity"``, ``"alfa.code"``) or a literal (``"=csv"``)."""
        if name.startswith("="):
            return name[1:]
        value: Any = self.values
        for part in name.split("."):
            value = value[part] if isinstance(value, dict) else getattr(value, part)
        return str(value.pk if hasattr(value, "pk") else value)


def _user(username: str, organisation: Organisation | None, role: str,
          superuser: bool = False) -> User:
    user = User(username=username, organisation=organisation, role=role,
                is_superuser=superuser, is_staff=superuser)
    user.set_unusable_password()
    user.save()
    return user


def _organisation(code: str, name: str) -> Organisation:
    return Organisation.objects.create(code=code, name=name, kind="municipality",
                                       county_code="99", county_name="Testlän",
                                       population=20_000)


def _build() -> tuple[dict[str, Any], dict[str, User]]:
    alfa, beta = _organisation("9901", "Alfa kommun"), _organisation("9902", "Beta kommun")
    gamma, delta = _organisation("9903", "Gamma kommun"), _organisation("9904", "Delta kommun")
    users = {
        "reader": _user("bob", alfa, "reader"),
        "editor": _user("alice", alfa, "editor"),
        "admin": _user("ada", alfa, "admin"),
        "other_editor": _user("charlie", beta, "editor"),
        "partner": _user("gus", gamma, "editor"),
        "non_partner": _user("dora", delta, "reader"),
        "superuser": _user("root", None, "editor", superuser=True),
    }
    alice = users["editor"]
    activity = landscape.do_create_activity(alfa, acting_user=alice, key="bygglov",
                                            name="Ansökan om bygglov", kind="eservice",
                                            annual_cost_sek=Decimal(4_000_000))
    landscape.do_create_activity(beta, acting_user=None, key="bl", name="Bygglovsansökan",
                                 kind="eservice", annual_cost_sek=Decimal(1_500_000))
    contact = Contact.objects.create(organisation=alfa, name="Anna Andersson")
    import_job = ImportJob.objects.create(organisation=alfa, created_by=alice,
                                          filename="verksamheter.csv", data=b"",
                                          status=ImportJob.Status.READY)
    kolada_sync = KoladaSync.objects.create(kpis=["N01951"], years=[2024])
    reference, _ = Organisation.objects.get_or_create(
        code="0182", defaults={"name": "Nacka kommun", "kind": Organisation.Kind.MUNICIPALITY,
                               "is_reference": True})
    run = commonality.do_run_analysis(Scope.of(organisations=[alfa.code, beta.code]),
                                      acting_user=alice)
    concept = Concept.objects.filter(run=run).first()
    assert concept is not None, "the analysis found no concept to test with"
    synonyms = commonality.do_add_synonym_set(["bygglov", "bygglovsansökan"], acting_user=alice)
    learned = LearnedRule.objects.create(
        kind=LearnedRule.Kind.APART, term_a="Bygglov", term_b="Marklov",
        decision=Decision.objects.create(kind=Decision.Kind.NOT_SAME,
                                         concept_id=concept.concept_id, created_by=alice))
    life_event = do_save_life_event(
        None, acting_user=None, slug="flytta-matris", label_sv="Flytta",
        steps=[StepData(need="Anmäla flytt", responsible="agency:SKV")])

    initiative = collaborations.do_create_initiative(
        acting_user=alice, lead=alfa, title="Gemensam e-tjänst", purpose="En ingång.",
        is_public=False, phase="idea", citizen_value=3, savings=3, feasibility=3, reach=3,
        risk_level=2)
    do_answer_invitation(
        collaborations.do_add_partner(initiative, acting_user=alice, organisation=gamma,
                                      role="partner"),
        acting_user=users["partner"], accept=True)
    goal = collaborations.do_add_goal(initiative, acting_user=alice, title="Allt digitalt",
                                      indicator="Andel", baseline="", target="90 %",
                                      target_date=timezone.localdate()
                                      + datetime.timedelta(days=365))
    statement = collaborations.do_add_statement(initiative, acting_user=alice, organisation=alfa,
                                                kind="principle", text="Öppna data")
    draft_statement = workshop.do_record_on_behalf(initiative, acting_user=alice,
                                                   organisation=gamma, kind="goal",
                                                   text="Fler e-tjänster")
    principles = workshop.do_start_principles_draft(initiative, acting_user=alice)
    workshop.do_add_principle(principles, acting_user=alice, text="Öppna data först")
    workshop.do_publish_principles(principles, acting_user=alice)
    ledger_row = ledger_actions.do_add_ledger_row(initiative, acting_user=alice,
                                                  organisation=alfa, year=2026,
                                                  kind="investment", planned=Decimal(100_000))
    ledger_actions.do_choose_cost_split(initiative, acting_user=alice, joint_cost=Decimal(800),
                                        standalone={alfa.code: 400, gamma.code: 600},
                                        method="shapley")
    proposal = do_create_proposal(initiative, acting_user=alice, title="Förslag", text="Text",
                                  deadline=timezone.localdate() + datetime.timedelta(days=7))
    formal_decision = do_add_formal_decision(
        initiative, acting_user=alice, organisation=alfa, body="kommunstyrelse",
        date=timezone.localdate(), paragraph="§ 1",
        protocol=io.BytesIO(b"%PDF-1.4\n%%EOF\n"), protocol_name="p.pdf")
    measurement = do_add_measurement(goal, acting_user=alice, period_end=timezone.localdate(),
                                     value=Decimal(50))
    round_ = health.do_open_round(initiative, acting_user=alice, title="Våren")
    token = health.do_create_invitations(round_, acting_user=alice, organisation=gamma,
                                         count=1)[0].token

    network = community.do_create_network(acting_user=alice, title="Bygglovsforum",
                                          description="", visibility="members")
    membership = community.do_join_network(network, users["partner"])
    start = timezone.now() + datetime.timedelta(days=30)
    event = community.do_create_event(
        acting_user=alice, organiser=alfa, title="Seminarium", description="", starts_at=start,
        ends_at=start + datetime.timedelta(hours=2), place="Stadshuset", is_digital=False,
        online_url="", network=None, capacity=20,
        registration_deadline=start - datetime.timedelta(days=1))
    community.do_register(event, users["partner"])

    chart = charts.bar_chart_url([("Alfa", 1.0)], viewer=charts.PUBLIC, category_title="Kommun",
                                  value_title="Antal")
    key = re.search(r"([0-9a-f]{64})\.svg", chart)
    assert key is not None
    values = {
        "alfa": alfa, "beta": beta, "gamma": gamma, "delta": delta, "activity": activity,
        "contact": contact, "import_job": import_job, "kolada_sync": kolada_sync, "run": run,
        "reference": reference.code,
        "concept": concept.concept_id,
        "synonyms": synonyms, "learned": learned, "life_event": life_event.slug,
        "initiative": initiative,
        "goal": goal, "statement": statement, "ledger_row": ledger_row, "round": round_,
        "draft_statement": draft_statement,
        "token": token, "network": network, "membership": membership, "event": event,
        "chart": key.group(1), "proposal": proposal, "formal_decision": formal_decision,
        "measurement": measurement,
    }
    return values, users


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    media = tempfile.TemporaryDirectory()
    with (media, override_settings(MEDIA_ROOT=media.name), django_db_blocker.unblock(),
          transaction.atomic()):
        values, users = _build()
        clients = {"anonymous": Client()}
        for role, user in users.items():
            clients[role] = Client()
            clients[role].force_login(user)
        cookies = {role: c.cookies.get(settings.SESSION_COOKIE_NAME).value  # type: ignore[union-attr]
                   for role, c in clients.items() if role != "anonymous"}
        yield World(values, clients, cookies)
        transaction.set_rollback(True)


# --- Requests and their outcomes -----------------------------------------------------------

DOMAIN_APPS = ("core", "landscape", "commonality", "journeys", "collaborations", "health",
               "community")
# Rows written by reading, by design: sessions, log-in throttling, finder statistics, jobs.
NOT_DOMAIN = {"core.task", "core.loginfailure", "journeys.findersearch"}


def fingerprint(world: World) -> tuple[Any, ...]:
    """Counts of every table of the domain and the audit log, and the names of a sample."""
    tables = sorted(
        model._meta.db_table for model in apps.get_models()
        if model._meta.app_label in DOMAIN_APPS
        and model._meta.label_lower not in NOT_DOMAIN and not model._meta.proxy
    )
    counts = ", ".join(f"(SELECT COUNT(*) FROM {connection.ops.quote_name(t)})" for t in tables)
    samples = [
        ("landscape_activity", "name", world.values["activity"].pk),
        ("landscape_contact", "name", world.values["contact"].pk),
        (Initiative._meta.db_table, "title", world.values["initiative"].pk),
        (world.values["event"]._meta.db_table, "title", world.values["event"].pk),
        (world.values["network"]._meta.db_table, "title", world.values["network"].pk),
    ]
    names = ", ".join(
        f"(SELECT {connection.ops.quote_name(column)} FROM {connection.ops.quote_name(table)}"
        f" WHERE id = {int(pk)})" for table, column, pk in samples)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {counts}, {names}")  # noqa: S608 - table names from the models
        row = cursor.fetchone()
    return tuple(zip([*tables, *(s[0] + "." + s[1] for s in samples)], row, strict=True))


def classify(response: Any, *, api: bool) -> str:
    status = response.status_code
    if status in {401, 403, 404, 405}:
        return str(status)
    if status in {301, 302, 303, 307, 308} and not api:
        location = response.get("Location", "")
        if location.startswith((settings.LOGIN_URL, reverse("login"),
                                reverse("admin:login"))):
            return "login"
    return "ok"


def request(world: World, role: str, method: str, path: str, *, api: bool,
            data: dict[str, Any], watch: bool = True) -> tuple[str, bool]:
    """One request, in a savepoint that is rolled back, by a client with a fresh session;
    whether it changed data is checked (``watch``) for GETs and refused requests."""
    client = world.clients[role]
    client.cookies = SimpleCookie()
    if role in world.cookies:
        client.cookies[settings.SESSION_COOKIE_NAME] = world.cookies[role]
    before = fingerprint(world) if watch else ()
    with transaction.atomic():
        if api:
            response = client.generic(method, path, json.dumps(data),
                                      content_type="application/json")
        elif method == "POST":
            response = client.post(path, {k: world.arg(v[1:]) if str(v).startswith("@")
                                          else v for k, v in data.items()})
        else:
            response = client.get(path)
        assert response.status_code < 500, f"{method} {path} as {role}: {response.status_code}"
        outcome = classify(response, api=api)
        changed = (watch and (method == "GET" or outcome != "ok")
                   and fingerprint(world) != before)
        transaction.set_rollback(True)
    return outcome, changed


def expected_row(text: str) -> list[str]:
    words = text.split()
    assert len(words) == len(ROLES), f"{text!r}: one outcome per role in {ROLES}"
    assert set(words) <= OUTCOMES, f"{text!r}: outcomes are {sorted(OUTCOMES)}"
    return words


def check(world: World, key: str, requests: list[tuple[str, str, str, dict[str, Any]]],
          *, api: bool) -> None:
    """Make every request for every role; fail with all the differences at once."""
    problems, seen = [], []
    for method, path, expected, data in requests:
        actual = []
        for role, want in zip(ROLES, expected_row(expected), strict=True):
            got, changed = request(world, role, method, path, api=api, data=data)
            actual.append(got)
            if got != want:
                problems.append(f"  {method} {path} as {role}: expected {want}, got {got}")
            if changed:
                problems.append(f"  {method} {path} as {role} ({got}) changed data")
        seen.append(f"{method:6} " + " ".join(f"{a:5}" for a in actual))
    if os.environ.get("MATRIX_PRINT"):
        print(f"\n{key}\n  " + "\n  ".join(seen))
    assert not problems, f"{key}:\n" + "\n".join(problems)


# --- Enumerating the routes ----------------------------------------------------------------


@functools.cache
def url_patterns() -> dict[str, URLPattern]:
    """Every named URL pattern of the project, by ``namespace:name``."""
    found: dict[str, URLPattern] = {}

    def walk(patterns: list[Any], namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = namespace
                if pattern.namespace:
                    inner = f"{namespace}{pattern.namespace}:"
                walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                found.setdefault(f"{namespace}{pattern.name}", pattern)

    walk(get_resolver().url_patterns, "")
    return found


@functools.cache
def openapi() -> dict[str, Any]:
    return api.get_openapi_schema()


def api_operations() -> dict[str, tuple[str, str, dict[str, Any]]]:
    """Every operation of the OpenAPI description: ``"METHOD /path"`` -> (method, path, op)."""
    operations = {}
    for path, methods in openapi()["paths"].items():
        for method, operation in methods.items():
            operations[f"{method.upper()} {path}"] = (method.upper(), path, operation)
    return operations


def api_url_names() -> set[str]:
    """URL names of the API's views: they are covered by the operations of the API table."""
    pages = {"api:openapi-json", "api:openapi-view"}  # the description and its docs page
    return {name for name in url_patterns() if name.startswith("api:")} - pages


def is_admin(name: str) -> bool:
    return name.startswith("admin:")


def table_problems(names: set[str], operations: set[str]) -> list[str]:
    """What is missing from, or stale in, the tables for these route names and operations."""
    message = []
    for name in sorted(names - WEB.keys()):
        message.append(f'Add the route {name!r} to WEB in {__file__}, e.g.\n'
                       f'    "{name}": web(LOGGED_IN, ALFA_WRITE),')
    for key in sorted(operations - API.keys()):
        message.append(f'Add the API operation {key!r} to API in {__file__}, e.g.\n'
                       f'    "{key}": op(API_READ),')
    message += [f"Remove {name!r} from WEB: no such route." for name in sorted(WEB.keys() - names)]
    message += [f"Remove {key!r} from API: no such operation."
                for key in sorted(API.keys() - operations)]
    return message


def test_every_route_has_an_expectation() -> None:
    names = {name for name in url_patterns() if not is_admin(name)} - api_url_names()
    problems = table_problems(names, set(api_operations()))
    assert not problems, "\n".join(problems)


def test_a_route_without_an_expectation_is_named() -> None:
    names = {name for name in url_patterns() if not is_admin(name)} - api_url_names()
    operations = set(api_operations())
    problems = table_problems(names | {"kolada:series"}, operations | {"GET /api/kolada"})
    assert len(problems) == 2
    assert "Add the route 'kolada:series' to WEB" in problems[0]
    assert "Add the API operation 'GET /api/kolada' to API" in problems[1]
    assert table_problems(names - {"home"}, operations) == [
        "Remove 'home' from WEB: no such route."]


def _sample(schema: dict[str, Any], components: dict[str, Any]) -> Any:
    """A value that satisfies the JSON schema's types (not its meaning)."""
    if "$ref" in schema:
        return _sample(components[schema["$ref"].rsplit("/", 1)[-1]], components)
    for combined in ("anyOf", "oneOf", "allOf"):
        if combined in schema:
            options = [s for s in schema[combined] if s.get("type") != "null"]
            return _sample(options[0], components)
    if "default" in schema:
        return schema["default"]
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object":
        properties = schema.get("properties", {})
        return {name: _sample(properties[name], components)
                for name in schema.get("required", [])}
    if kind == "array":
        return []
    if kind == "integer":
        return max(int(schema.get("minimum", 1)), 1)
    if kind == "number":
        return max(float(schema.get("minimum", 1)), 1.0)
    if kind == "boolean":
        return False
    formats = {"date": "2026-06-01", "date-time": "2026-06-01T10:00:00+02:00"}
    return formats.get(schema.get("format", ""), "Matrisen")


def api_body(operation: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    content = operation.get("requestBody", {}).get("content", {})
    if "application/json" not in content:
        return overrides
    components = openapi().get("components", {}).get("schemas", {})
    body = _sample(content["application/json"]["schema"], components)
    return {**body, **overrides}


def web_path(world: World, name: str, entry: Web) -> str:
    pattern = url_patterns()[name]
    kwargs = {param: world.arg(entry.args.get(param, DEFAULT_ARGS.get(param, param)))
              for param in pattern.pattern.regex.groupindex}
    return reverse(name, kwargs=kwargs)


@pytest.mark.parametrize("name", sorted(WEB))
def test_page(world: World, name: str) -> None:
    entry = WEB[name]
    path = web_path(world, name, entry)
    check(world, name, [(method, path, entry.outcome(method), entry.data)
                        for method in ("GET", "POST")], api=False)


@pytest.mark.parametrize("key", sorted(API))
def test_api_operation(world: World, key: str) -> None:
    entry = API[key]
    method, template, operation = api_operations()[key]
    path = template
    for param in re.findall(r"{(\w+)}", template):
        value = world.arg(entry.args.get(param, DEFAULT_ARGS.get(param, param)))
        path = path.replace("{" + param + "}", value)
    check(world, key, [(method, path, entry.expected, api_body(operation, entry.body))],
          api=True)


METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def test_api_methods_that_are_not_described_are_refused(world: World) -> None:
    """Every API path answers 405 to the methods its description does not list, whoever asks."""
    described: dict[str, set[str]] = {}
    args: dict[str, dict[str, str]] = {}
    for key, (method, template, _operation) in api_operations().items():
        described.setdefault(template, set()).add(method)
        args[template] = {**DEFAULT_ARGS, **API[key].args}
    problems = []
    for template, methods in sorted(described.items()):
        path = template
        for param in re.findall(r"{(\w+)}", template):
            path = path.replace("{" + param + "}", world.arg(args[template][param]))
        for method in sorted(set(METHODS) - methods):
            for role in ("anonymous", "superuser"):
                got, changed = request(world, role, method, path, api=True, data={})
                if got != "405" or changed:
                    problems.append(f"  {method} {path} as {role}: expected 405, got {got}")
    assert not problems, "\n".join(problems)


ADMIN_ARGS = {"app_label": "=core", "content_type_id": "organisation_type", "id": "admin_user"}
# The admin's own pages that are not behind its staff check.
ADMIN_OPEN = {"admin:login", "admin:logout"}
ADMIN_ROLES = ("anonymous", "admin", "superuser")


def test_admin_is_for_superusers_only(world: World) -> None:
    """Every page of the admin, GET, as a visitor, the strongest non-staff role and a
    superuser: only the superuser is let in (Django's staff check; the admin's own per-model
    rules may still refuse the superuser a page, e.g. adding an audit entry)."""
    values = {**world.values,
              "organisation_type": ContentType.objects.get_for_model(Organisation).pk,
              "admin_user": User.objects.get(username="ada")}
    admin_world = World(values, world.clients, world.cookies)
    problems, count = [], 0
    for name, pattern in sorted(url_patterns().items()):
        if not is_admin(name) or name in ADMIN_OPEN:
            continue
        kwargs = {param: admin_world.arg(ADMIN_ARGS.get(param, "alfa"))
                  for param in pattern.pattern.regex.groupindex}
        path = reverse(name, kwargs=kwargs)
        for role in ADMIN_ROLES:
            # The admin's GETs are Django's own; what they write is not this test's concern.
            got, changed = request(admin_world, role, "GET", path, api=False, data={},
                                   watch=False)
            count += 1
            allowed = {"ok", "403"} if role == "superuser" else {"login"}
            if got not in allowed or changed:
                problems.append(f"  GET {path} as {role}: got {got}, expected one of {allowed}")
    assert count > 60, "the admin's pages were not found"
    assert not problems, "admin:\n" + "\n".join(problems)


def test_a_change_is_noticed(world: World) -> None:
    """The check that refused requests change nothing would notice a change."""
    before = fingerprint(world)
    with transaction.atomic():
        Activity.objects.filter(pk=world.values["activity"].pk).update(name="Ändrad")
        assert fingerprint(world) != before
        transaction.set_rollback(True)
    with transaction.atomic():
        Contact.objects.create(organisation=world.values["alfa"], name="Ny")
        assert fingerprint(world) != before
        transaction.set_rollback(True)
    assert fingerprint(world) == before


def test_activity_is_unchanged_after_the_refused_edits(world: World) -> None:
    """A sample, spelled out: the edits above (refused or rolled back) left it as it was."""
    activity = Activity.objects.get(pk=world.values["activity"].pk)
    assert activity.name == "Ansökan om bygglov"
