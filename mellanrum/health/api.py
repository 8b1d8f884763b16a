"""Survey rounds and their aggregated results in the JSON API.

Only the initiative's partners and superusers read them; individual answers are never served,
and partner groups below the anonymity threshold are left out exactly as on the results page.
Nothing about the answers, not even their number, is served while a round is open, and no
count below the threshold is served at all (``null`` instead).
"""

from __future__ import annotations

import datetime

from ninja import Router, Schema

from mellanrum.core.http import AuthenticatedHttpRequest

from . import analysis
from .access import access_health, access_round
from .models import Invitation, Response, Round

router = Router(tags=["health"])


class RoundOut(Schema):
    id: int
    initiative: int
    title: str
    instrument_version: str
    invitation_days: int
    opened_at: datetime.datetime
    closed_at: datetime.datetime | None
    is_open: bool
    is_illustrative: bool
    invited: int
    responses: int | None  # null while open, and for fewer than three


class ScoreOut(Schema):
    n: int | None
    mean: float | None
    low: float | None
    high: float | None
    dont_know: int | None


class FactorOut(ScoreOut):
    factor: str
    name: str


class CellOut(ScoreOut):
    factor: str


class BreakdownOut(Schema):
    organisation: str
    responses: int | None
    factors: list[CellOut]


class PartnerRateOut(Schema):
    organisation: str
    name: str
    invited: int
    answered: int | None  # null while open, for fewer than three, or when withheld


class TrendOut(Schema):
    round: int
    title: str
    factors: dict[str, float | None]


class WarningOut(Schema):
    kind: str
    factor: str
    value: float
    previous: float | None
    partner: str | None
    high_partner: str | None
    low_partner: str | None
    text: str


class RoundInfoOut(Schema):
    id: int
    title: str
    initiative: int
    instrument_version: str
    opened_at: datetime.datetime
    closed_at: datetime.datetime | None
    is_illustrative: bool


class ResultsOut(Schema):
    round: RoundInfoOut
    threshold: int
    released: bool
    responses: int | None
    invited: int
    shown: bool
    partners: list[PartnerRateOut]
    factors: list[FactorOut]
    breakdown: list[BreakdownOut]
    withheld_partners: list[str]
    trend: list[TrendOut]
    warnings: list[WarningOut]
    comments: list[str]


def _round_row(round_: Round, invited: int, responses: int | None) -> dict[str, object]:
    return {"id": round_.pk, "initiative": round_.initiative_id, "title": round_.title,
            "instrument_version": round_.instrument_version,
            "invitation_days": round_.invitation_days, "opened_at": round_.opened_at,
            "closed_at": round_.closed_at, "is_open": round_.is_open,
            "is_illustrative": round_.is_illustrative, "invited": invited,
            "responses": responses}


@router.get("/initiatives/{initiative_id}/health/rounds", response=list[RoundOut])
def list_rounds(request: AuthenticatedHttpRequest, initiative_id: int) -> list[dict[str, object]]:
    initiative = access_health(request.user, initiative_id)
    rounds = list(Round.objects.filter(initiative=initiative).order_by("opened_at", "pk"))
    invited = {r.pk: 0 for r in rounds}
    responses = {r.pk: 0 for r in rounds}
    for pk in Invitation.objects.filter(round__in=rounds).values_list("round_id", flat=True):
        invited[pk] += 1
    for pk in Response.objects.filter(round__in=rounds).values_list("round_id", flat=True):
        responses[pk] += 1
    return [_round_row(r, invited[r.pk], analysis.released_total(r, responses[r.pk]))
            for r in rounds]


@router.get("/health/rounds/{round_id}/results", response=ResultsOut)
def round_results(request: AuthenticatedHttpRequest, round_id: int) -> dict[str, object]:
    round_ = access_round(request.user, round_id)
    return analysis.as_dict(analysis.build_report(round_))
