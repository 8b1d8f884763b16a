from __future__ import annotations

import csv
import datetime
import io
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mellanrum.core.http import AuthenticatedHttpRequest
from mellanrum.engines.health import SCALE_MAX, SCALE_MIN
from mellanrum.landscape.models import Organisation
from mellanrum.landscape.spreadsheet import neutralise_formula
from mellanrum.lib.charts import Viewer, bar_chart_url, grouped_bar_chart_url

from . import actions, analysis
from .access import (
    InvitationUnavailable,
    access_health,
    access_invitation,
    access_round,
    can_manage_rounds,
    hash_token,
)
from .forms import InvitationForm, RoundForm, SurveyForm
from .models import Invitation, Response, Round

# Charts of means are drawn over the answers' own range (1-5), not from zero.
SCALE = (float(SCALE_MIN), float(SCALE_MAX))


def _posted(request: HttpRequest) -> QueryDict | None:
    return request.POST if request.method == "POST" else None


def _errors_into(form: Form, exc: ValidationError) -> None:
    by_field = exc.error_dict if hasattr(exc, "error_dict") else {None: exc.error_list}
    for field, errors in by_field.items():
        form.add_error(field if field in form.fields else None, errors)


def _trend_chart(report: analysis.Report, viewer: Viewer) -> str | None:
    trend = report.trend()
    rows = [(report.factor_name(f.key), r.title, trend[f.key][i])
            for f in report.instrument.factors
            for i, (r, _s) in enumerate(report.history) if trend[f.key][i] is not None]
    if len({r for _f, r, _v in rows}) < 2:
        return None
    return grouped_bar_chart_url(
        [(f, r, analysis.rounded_score(v)) for f, r, v in rows if v is not None], viewer=viewer,
        category_title=_("Factor"),
        series_title=_("Round"), value_title=_("Mean (1–5)"), domain=SCALE)


@login_required
def initiative_health(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    initiative = access_health(request.user, pk)
    rounds = list(Round.objects.filter(initiative=initiative).order_by("-opened_at", "-pk"))
    counts = {r.pk: 0 for r in rounds}
    for round_id in Response.objects.filter(round__in=rounds).values_list("round_id", flat=True):
        counts[round_id] += 1
    invited = {r.pk: 0 for r in rounds}
    for round_id in Invitation.objects.filter(round__in=rounds).values_list("round_id",
                                                                             flat=True):
        invited[round_id] += 1
    # The trend is that of the latest closed round: an open round releases nothing yet.
    closed = [r for r in rounds if not r.is_open]
    latest = analysis.build_report(closed[0]) if closed else None
    return render(request, "health/initiative_health.html", {
        "initiative": initiative,
        "rows": [(r, analysis.released_total(r, counts[r.pk]), invited[r.pk]) for r in rounds],
        "can_manage": can_manage_rounds(request.user, initiative),
        "has_open": any(r.is_open for r in rounds),
        "latest": latest,
        "trend_chart": _trend_chart(latest, request.user) if latest else None,
        "trend_rows": _trend_rows(latest) if latest else [],
    })


@login_required
def round_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    initiative = access_health(request.user, pk, write=True)
    form = RoundForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            round_ = actions.do_open_round(initiative, acting_user=request.user,
                                           **form.cleaned_data)
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            messages.success(request, _("The round is open. Create invitation links for the "
                                        "partners' staff."))
            return redirect("health:invitations", round_.pk)
    return render(request, "health/round_form.html", {"form": form, "initiative": initiative})


def _trend_rows(report: analysis.Report) -> list[tuple[str, list[float | None]]]:
    trend = report.trend()
    return [(report.factor_name(f.key), trend[f.key]) for f in report.instrument.factors]


@login_required
def round_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    round_ = access_round(request.user, pk)
    report = analysis.build_report(round_)
    scores = report.scores
    factors = [(f, scores.factors.get(f.key)) for f in report.instrument.factors]
    chart = None
    if scores.factors:
        chart = bar_chart_url(
            [(report.factor_name(k), analysis.rounded_score(s.mean))
             for k, s in scores.factors.items()],
            viewer=request.user, category_title=_("Factor"), value_title=_("Mean (1–5)"),
            domain=SCALE)
    partner_chart = None
    breakdown = []
    if scores.partners:
        partner_chart = grouped_bar_chart_url(
            [(report.factor_name(k), report.names.get(p.partner, p.partner),
              analysis.rounded_score(c.mean))
             for p in scores.partners for k, c in p.factors.items()],
            viewer=request.user, category_title=_("Factor"), series_title=_("Organisation"),
            value_title=_("Mean (1–5)"), domain=SCALE)
        breakdown = [(f, [p.factors.get(f.key) for p in scores.partners])
                     for f in report.instrument.factors]
    return render(request, "health/round_detail.html", {
        "round": round_,
        "initiative": round_.initiative,
        "report": report,
        "factors": factors,
        "chart": chart,
        "partner_chart": partner_chart,
        "partner_names": [report.names.get(p.partner, p.partner) for p in scores.partners],
        "breakdown": breakdown,
        "withheld": [report.names.get(c, c) for c in report.withheld],
        "warnings": [(w, analysis.warning_text(report, w)) for w in report.warnings],
        "trend_chart": _trend_chart(report, request.user),
        "trend_rows": _trend_rows(report),
        "can_manage": can_manage_rounds(request.user, round_.initiative),
        "language": analysis.language(),
    })


@require_POST
@login_required
def round_close(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    round_ = access_round(request.user, pk, write=True)
    try:
        actions.do_close_round(round_, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The round is closed; its links no longer work."))
    return redirect(round_)


def _links_csv(links: list[actions.IssuedLink], urls: list[str]) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_("Organisation"), _("Recipient"), _("Link"), _("Valid until")])
    for link, url in zip(links, urls, strict=True):
        writer.writerow([neutralise_formula(link.organisation.name),
                         neutralise_formula(link.label), url,
                         link.expires_at.date().isoformat()])
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="inbjudningar.csv"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def round_invitations(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    round_ = access_round(request.user, pk, write=True)
    organisations = Organisation.objects.filter(
        initiative_partnerships__initiative=round_.initiative,
        initiative_partnerships__status="accepted").order_by("name")
    form = InvitationForm(_posted(request), organisations=organisations)
    if request.method == "POST" and form.is_valid():
        try:
            emails = actions.parse_emails(form.cleaned_data["emails"] or "")
            links = actions.do_create_invitations(
                round_, acting_user=request.user,
                organisation=form.cleaned_data["organisation"],
                count=form.cleaned_data["count"], emails=emails)
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            urls = [actions.survey_url(link.token) for link in links]
            if request.POST.get("format") == "csv":
                return _links_csv(links, urls)
            response = render(request, "health/invitations_created.html", {
                "round": round_, "initiative": round_.initiative,
                "links": list(zip(links, urls, strict=True)),
            })
            response["Cache-Control"] = "no-store"
            return response
    return render(request, "health/invitations_form.html", {
        "form": form, "round": round_, "initiative": round_.initiative,
        "invited": Invitation.objects.filter(round=round_).count(),
    })


@login_required
def round_export(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    round_ = access_round(request.user, pk)
    response = HttpResponse(
        analysis.to_xlsx(analysis.build_report(round_)),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="halsa-omgang-{round_.pk}.xlsx"'
    return response


def _private(response: HttpResponse) -> HttpResponse:
    """The link is a secret: keep it out of caches and search engines. The site's
    Referrer-Policy (same-origin) already keeps it from other sites; "no-referrer" would make
    the browser send "Origin: null" with the form, which the CSRF check rightly refuses."""
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


def _unavailable(request: HttpRequest, reason: str) -> HttpResponse:
    """A link that takes no answers. "expired" and "closed" are the same for every link of
    a batch or round, used or not, so they tell nothing about any one respondent."""
    status = 404 if reason == "unknown" else 410
    return _private(render(request, "health/survey_unavailable.html", {"reason": reason},
                           status=status))


ANSWERED_COOKIE = "mellanrum_answered"


def _answered_salt(token: str) -> str:
    return f"health.answered.{hash_token(token)}"


def _has_answered(request: HttpRequest, token: str) -> bool:
    """Whether this browser answered through this link: only the respondent's own browser
    carries the signed cookie, which is scoped to the link's path and stored nowhere else."""
    value = request.get_signed_cookie(ANSWERED_COOKIE, default=None,
                                      salt=_answered_salt(token))
    return value == "1"


def _thanks(request: HttpRequest, token: str, context: dict[str, Any],
            expires_at: datetime.datetime) -> HttpResponse:
    """The same page, headers and cookie after a first answer and after a repeated one."""
    response = _private(render(request, "health/survey_thanks.html", context))
    response.set_signed_cookie(
        ANSWERED_COOKIE, "1", salt=_answered_salt(token), expires=expires_at,
        path=reverse("health:survey", args=[token]), secure=settings.SESSION_COOKIE_SECURE,
        httponly=True, samesite="Lax")
    return response


def survey(request: HttpRequest, token: str) -> HttpResponse:
    """The survey behind a personal link; no login, and nothing shown but the initiative's
    title and the statements.

    A used link shows the same form with the same status as an unused one, and a repeated
    answer gets the same thank-you page as a first one but is not recorded: to anyone but
    the respondent, a link never tells whether it has been answered through.
    """
    try:
        invitation = access_invitation(token)
    except Http404:
        return _unavailable(request, "unknown")
    except InvitationUnavailable as exc:
        return _unavailable(request, exc.reason)
    round_ = invitation.round
    context: dict[str, Any] = {"title": round_.initiative.title,
                               "is_illustrative": round_.is_illustrative}
    if request.method != "POST" and _has_answered(request, token):
        return _private(render(request, "health/survey_answered.html", context))
    form = SurveyForm(_posted(request), instrument=round_.instrument,
                      language=analysis.language())
    context["form"] = form
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_submit_response(token, answers=form.answers(),
                                       comment=form.cleaned_data["comment"])
        except Http404:
            return _unavailable(request, "unknown")
        except InvitationUnavailable as exc:
            if exc.reason != "used":
                return _unavailable(request, exc.reason)
            return _thanks(request, token, context, invitation.expires_at)
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            return _thanks(request, token, context, invitation.expires_at)
    return _private(render(request, "health/survey.html", context,
                           status=400 if form.errors else 200))
