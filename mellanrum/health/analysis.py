"""The adapter between survey rows and the health engine, and the exports built on it.

Every output of the survey (results page, overview, XLSX, API, CLI, charts) is built from a
:class:`Report`, and :func:`build_report` applies the release rule: nothing about the
answers, not even their number, is released while a round is open; when it has closed,
results, comments and counts are released together, with no count below the anonymity
threshold (see docs/health.md, "Anonymity").
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from openpyxl import Workbook

from mellanrum.engines.health import (
    MIN_GROUP,
    EarlyWarning,
    Instrument,
    ResponseData,
    RoundScores,
    WarningRules,
    early_warnings,
    factor_trend,
    score_round,
)
from mellanrum.landscape.models import Organisation
from mellanrum.lib.xlsx import active_sheet, safe_row

from .models import Answer, Invitation, Response, Round

RULES = WarningRules()


def language() -> str:
    return get_language() or "sv"


def responses_of(round_: Round) -> list[ResponseData]:
    answers: dict[int, dict[str, int | None]] = {}
    for response_id, item, value in Answer.objects.filter(
        response__round=round_
    ).values_list("response_id", "item", "value"):
        answers.setdefault(response_id, {})[item] = value
    return [
        ResponseData(code, answers.get(pk, {}))
        for pk, code in Response.objects.filter(round=round_).values_list(
            "pk", "organisation__code")
    ]


def score(round_: Round) -> RoundScores:
    """The released scores of a round: those of its responses once it has closed, and
    those of no responses at all while it is open."""
    if round_.is_open:
        return score_round(round_.instrument, [])
    return score_round(round_.instrument, responses_of(round_))


def released_total(round_: Round, responses: int) -> int | None:
    """The number of responses of a round as it may be shown: once closed, and at least
    the anonymity threshold."""
    return responses if not round_.is_open and responses >= MIN_GROUP else None


@dataclass(frozen=True)
class PartnerRate:
    organisation: Organisation
    invited: int
    answered: int | None  # None while the round is open, and for fewer than three

    @property
    def rate(self) -> float | None:
        if self.answered is None or not self.invited:
            return None
        return self.answered / self.invited


@dataclass(frozen=True)
class Report:
    round: Round
    instrument: Instrument
    scores: RoundScores
    previous: Round | None
    previous_scores: RoundScores | None
    warnings: list[EarlyWarning]
    rates: list[PartnerRate]
    history: list[tuple[Round, RoundScores]]  # this round and the ones before, oldest first
    comments: list[str]  # only when the round shows results; in alphabetical order
    names: dict[str, str]  # organisation code -> name

    @property
    def invited(self) -> int:
        return sum(r.invited for r in self.rates)

    @property
    def released(self) -> bool:
        """Results are released when the round has closed."""
        return not self.round.is_open

    @property
    def withheld(self) -> list[str]:
        """Codes of the invited partners left out of the breakdown, whether or not anyone of
        them answered: listing only those with answers would tell that someone did."""
        if not self.released:
            return []
        shown = {p.partner for p in self.scores.partners}
        return [r.organisation.code for r in self.rates
                if r.invited and r.organisation.code not in shown]

    @property
    def answered(self) -> int | None:
        return self.scores.released_responses

    @property
    def rate(self) -> float | None:
        if self.answered is None or not self.invited:
            return None
        return self.answered / self.invited

    def factor_name(self, key: str) -> str:
        return self.instrument.factor(key).text(language())

    def trend(self) -> dict[str, list[float | None]]:
        return factor_trend([s for _r, s in self.history],
                            [f.key for f in self.instrument.factors])


def build_report(round_: Round) -> Report:
    initiative = round_.initiative
    rounds = list(Round.objects.filter(initiative=initiative, opened_at__lte=round_.opened_at)
                  .exclude(pk=round_.pk).order_by("opened_at", "pk"))
    history = [(r, score(r)) for r in rounds if r.instrument_version == round_.instrument_version]
    scores = score(round_)
    history.append((round_, scores))
    previous, previous_scores = (history[-2] if len(history) > 1 else (None, None))
    warnings = early_warnings(scores, previous_scores,
                              benefit_factor=round_.instrument.benefit_factor, rules=RULES)
    partners = [p.organisation for p in initiative.partners.select_related("organisation")]
    invited: dict[int, int] = {}
    for organisation_id in Invitation.objects.filter(round=round_).values_list(
        "organisation_id", flat=True
    ):
        invited[organisation_id] = invited.get(organisation_id, 0) + 1
    extra = Organisation.objects.filter(pk__in=set(invited) - {o.pk for o in partners})
    organisations = sorted([*partners, *extra], key=lambda o: o.name)
    rates = [PartnerRate(o, invited.get(o.pk, 0), scores.released_count(o.code))
             for o in organisations]
    comments: list[str] = []
    if scores.shown:  # never for an open round: its scores are those of no responses
        # All at once, in alphabetical order: never the order they were written in.
        comments = sorted(Response.objects.filter(round=round_).exclude(comment="")
                          .values_list("comment", flat=True), key=lambda c: (c.casefold(), c))
    return Report(round_, round_.instrument, scores, previous, previous_scores, warnings,
                  rates, history, comments, {o.code: o.name for o in organisations})


def warning_text(report: Report, warning: EarlyWarning) -> str:
    factor = report.factor_name(warning.factor)
    if warning.kind == "drop":
        return _("%(factor)s has fallen from %(before)s to %(now)s since the previous round. "
                 "Talk about what has changed before it gets worse.") % {
            "factor": factor, "before": _fmt(warning.previous), "now": _fmt(warning.value)}
    if warning.kind == "divergence":
        return _("The partners see %(factor)s very differently: %(high)s gives "
                 "%(high_score)s and %(low)s gives %(low_score)s. Find out why.") % {
            "factor": factor.lower(),
            "high": report.names.get(warning.high_partner or "", warning.high_partner),
            "low": report.names.get(warning.low_partner or "", warning.low_partner),
            "high_score": _fmt(_partner_mean(report, warning.high_partner, warning.factor)),
            "low_score": _fmt(_partner_mean(report, warning.low_partner, warning.factor)),
        }
    if warning.partner:
        return _("%(partner)s sees little benefit for its own organisation (%(score)s). "
                 "Look at the initiative's benefits together.") % {
            "partner": report.names.get(warning.partner, warning.partner),
            "score": _fmt(warning.value)}
    return _("The partners see little benefit for their own organisations (%(score)s). "
             "Look at the initiative's benefits together.") % {"score": _fmt(warning.value)}


def _partner_mean(report: Report, partner: str | None, factor: str) -> float | None:
    for p in report.scores.partners:
        if p.partner == partner and factor in p.factors:
            return p.factors[factor].mean
    return None


def rounded_score(value: float) -> float:
    """A mean to one decimal, rounded half up as people do (2.65 is 2.7, 2.25 is 2.3): the
    table, the warnings and the charts' labels all show this same number."""
    return float(Decimal(repr(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def format_score(value: float | None) -> str:
    """A mean as the results page writes it: one decimal, in the language's own way."""
    if value is None:
        return "–"
    return number_format(Decimal(repr(rounded_score(value))), decimal_pos=1)


def _fmt(value: float | None) -> str:
    return format_score(value)


def as_dict(report: Report) -> dict[str, Any]:
    """The aggregated results: what the results page shows, never individual answers."""
    scores = report.scores
    factors = report.instrument.factors
    trend = report.trend()
    return {
        "round": {"id": report.round.pk, "title": report.round.title,
                  "initiative": report.round.initiative_id,
                  "instrument_version": report.round.instrument_version,
                  "opened_at": report.round.opened_at, "closed_at": report.round.closed_at,
                  "is_illustrative": report.round.is_illustrative},
        "threshold": scores.threshold,
        "released": report.released,
        "responses": report.answered,
        "invited": report.invited,
        "shown": scores.shown,
        "partners": [{"organisation": r.organisation.code, "name": r.organisation.name,
                      "invited": r.invited, "answered": r.answered} for r in report.rates],
        "factors": [
            {"factor": f.key, "name": f.text(language()), **_score_dict(scores.factors.get(f.key))}
            for f in factors
        ],
        "breakdown": [
            {"organisation": p.partner, "responses": scores.released_count(p.partner),
             "factors": [{"factor": k, **_score_dict(v)} for k, v in p.factors.items()]}
            for p in scores.partners
        ],
        "withheld_partners": report.withheld,
        "trend": [
            {"round": r.pk, "title": r.title,
             "factors": {f.key: trend[f.key][i] for f in factors}}
            for i, (r, _s) in enumerate(report.history)
        ],
        "warnings": [
            {"kind": w.kind, "factor": w.factor, "value": w.value, "previous": w.previous,
             "partner": w.partner, "high_partner": w.high_partner,
             "low_partner": w.low_partner, "text": warning_text(report, w)}
            for w in report.warnings
        ],
        "comments": report.comments,
    }


def _score_dict(score: Any) -> dict[str, Any]:
    if score is None:
        return {"n": None, "mean": None, "low": None, "high": None, "dont_know": None}
    return {"n": score.n, "mean": score.mean, "low": score.low, "high": score.high,
            "dont_know": score.dont_know}


def withheld_count_text(released: bool) -> str:
    """What stands where a count is withheld."""
    if not released:
        return _("after the round closes")
    return _("fewer than 3")


def _withheld_count(report: Report) -> str:
    return withheld_count_text(report.released)


def _round1(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def to_xlsx(report: Report) -> bytes:
    """The aggregated results; withheld groups are absent, comments carry no partner."""
    data = as_dict(report)
    workbook = Workbook()
    sheet = active_sheet(workbook)
    sheet.title = _("Factors")[:31]
    sheet.append([_("Factor"), _("Respondents"), _("Mean (1–5)"), _("Interval low (95 %)"),
                  _("Interval high (95 %)"), _("Don't know")])
    for row in data["factors"]:
        sheet.append(safe_row([row["name"], row["n"], _round1(row["mean"]),
                               _round1(row["low"]), _round1(row["high"]), row["dont_know"]]))
    rates = workbook.create_sheet(_("Response rate")[:31])
    rates.append([_("Organisation"), _("Invited"), _("Answered")])
    for row in data["partners"]:
        rates.append(safe_row([row["name"], row["invited"],
                               _withheld_count(report) if row["answered"] is None
                               else row["answered"]]))
    breakdown = workbook.create_sheet(_("Partners")[:31])
    breakdown.append([_("Organisation"), _("Factor"), _("Respondents"), _("Mean (1–5)")])
    for partner in data["breakdown"]:
        for cell in partner["factors"]:
            breakdown.append(safe_row([report.names.get(partner["organisation"], ""),
                                       report.factor_name(cell["factor"]), cell["n"],
                                       _round1(cell["mean"])]))
    trend = workbook.create_sheet(_("Trend")[:31])
    trend.append(safe_row([_("Round"), *(f.text(language()) for f in report.instrument.factors)]))
    for point in data["trend"]:
        trend.append(safe_row([point["title"], *(_round1(point["factors"][f.key])
                                                 for f in report.instrument.factors)]))
    warnings = workbook.create_sheet(_("Warnings")[:31])
    warnings.append([_("Warning")])
    for warning in data["warnings"]:
        warnings.append(safe_row([warning["text"]]))
    comments = workbook.create_sheet(_("Comments")[:31])
    comments.append([_("Comment")])
    for comment in data["comments"]:
        comments.append(safe_row([comment]))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
