from typing import Any

from ninja import Body, Router, Schema
from ninja.errors import HttpError

from mellanrum.core.http import AuthenticatedHttpRequest

from . import analysis

router = Router(tags=["fair sharing"])


class MethodOut(Schema):
    method: str
    label: str
    explanation: str
    allocation: dict[str, float]
    savings_vs_alone: dict[str, float]
    in_core: bool | None
    blocking_coalitions: list[dict[str, Any]]
    blocking_count: int


class ComparisonOut(Schema):
    kind: str
    total: float
    alone_total: float
    results: list[MethodOut]
    skipped: list[list[str]]
    standalone_only: bool
    methods_agree: bool
    costs_more_together: bool


@router.post("/fairshare/compare", response=ComparisonOut)
def compare(request: AuthenticatedHttpRequest, game: Body[dict[str, Any]]) -> dict[str, Any]:
    """Share a cost or saving by every suitable method; the body is a `mellanrum share` game."""
    try:
        comparison = analysis.compare(game)
    except analysis.CalculatorError as exc:
        raise HttpError(422, str(exc)) from None
    return {
        "kind": comparison.kind,
        "total": comparison.total,
        "alone_total": comparison.alone_total,
        "results": [
            {
                "method": r.method,
                "label": r.label,
                "explanation": r.explanation,
                "allocation": r.amounts,
                "savings_vs_alone": r.savings,
                "in_core": r.in_core,
                "blocking_coalitions": [
                    {"coalition": list(c), "excess": e} for c, e in r.blocking
                ],
                "blocking_count": r.blocking_count,
            }
            for r in comparison.results
        ],
        "skipped": [[label, why] for label, why in comparison.skipped],
        "standalone_only": comparison.standalone_only,
        "methods_agree": comparison.methods_agree,
        "costs_more_together": comparison.costs_more_together,
    }
