from __future__ import annotations

import json
import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import strip_tags
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mellanrum.core.models import User
from mellanrum.core.page_cache import cached_page
from mellanrum.landscape.models import Organisation

from . import actions, analysis
from .access import access_life_event, can_edit_catalogue, require_catalogue_editor
from .forms import (
    CatalogueImportForm,
    LifeEventForm,
    StepFormSet,
    responsible_choices,
    split_lines,
)
from .models import LifeEvent

MAX_QUERY_LENGTH = 500
CODE = re.compile(r"\d{4}")


def _municipalities() -> list[tuple[str, str]]:
    return list(
        Organisation.objects.filter(kind=Organisation.Kind.MUNICIPALITY)
        .order_by("name")
        .values_list("code", "name")
    )


def _municipality_by_code(code: str) -> Organisation | None:
    # Only four digits reach the database (a NUL byte would be an error on PostgreSQL).
    if not CODE.fullmatch(code):
        return None
    return Organisation.objects.filter(kind=Organisation.Kind.MUNICIPALITY, code=code).first()


def life_event_list(request: HttpRequest) -> HttpResponse:
    actions.ensure_catalogue()
    events = LifeEvent.objects.annotate(step_count=Count("steps"))
    return render(request, "journeys/life_event_list.html", {
        "person_events": [e for e in events if e.audience == LifeEvent.Audience.PERSON],
        "business_events": [e for e in events if e.audience == LifeEvent.Audience.BUSINESS],
        "can_edit": can_edit_catalogue(request.user),
    })


def _phases(journey: dict[str, Any]) -> list[int]:
    """Each step's phase: 0 when it waits for nothing, else one more than the latest phase
    it waits for.  Steps of one phase can run at the same time."""
    phase: dict[int, int] = {}
    for step in journey["steps"]:
        waits = [phase[n] for n in step["waits_for"] if n in phase]
        phase[step["number"]] = max(waits) + 1 if waits else 0
    return [phase[step["number"]] for step in journey["steps"]]


def _swimlanes(journey: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Rows per organisation and columns per phase: steps that run in parallel share a
    column.  Returns the columns (with the day the phase starts) and the lanes."""
    phases = _phases(journey)
    count = max(phases, default=-1) + 1
    columns = []
    for number in range(count):
        steps = [s for s, p in zip(journey["steps"], phases, strict=True) if p == number]
        columns.append({"number": number + 1,
                        "start_day": min(s["start_day"] for s in steps),
                        "steps": [s["number"] for s in steps]})
    critical = set(journey["analysis"]["critical_path"])
    for step in journey["steps"]:
        step["critical"] = step["number"] in critical

    def cells(belongs: Any) -> list[list[dict[str, Any]]]:
        row: list[list[dict[str, Any]]] = [[] for _ in range(count)]
        for step, phase in zip(journey["steps"], phases, strict=True):
            if belongs(step):
                row[phase].append(step)
        return row

    lanes = []
    for organisation in journey["analysis"]["organisations"]:
        code = organisation["code"]
        lanes.append({"organisation": organisation, "cells": cells(
            lambda step, code=code: step["organisation"] and step["organisation"]["code"] == code
        )})
    unknown = cells(lambda step: step["organisation"] is None)
    if any(unknown):
        lanes.append({"organisation": None, "cells": unknown})
    return columns, lanes


def _initiatives_addressing(user: Any, event: LifeEvent) -> list[dict[str, Any]]:
    """The collaborations the user may see that address a step of this life event."""
    from mellanrum.collaborations.access import visible_initiatives

    initiatives = (
        visible_initiatives(user).filter(steps__life_event=event).distinct()
        .prefetch_related("steps").order_by("title")
    )
    return [
        {
            "initiative": initiative,
            "step_numbers": sorted(
                step.position for step in initiative.steps.all() if step.life_event_id == event.pk
            ),
        }
        for initiative in initiatives
    ]


@cached_page
def life_event_detail(request: HttpRequest, slug: str) -> HttpResponse:
    actions.ensure_catalogue()
    event = access_life_event(request.user, slug)
    code = request.GET.get("municipality", "").strip()[:10]
    to_code = request.GET.get("to", "").strip()[:10]
    journey = None
    problem = ""
    if code:
        municipality = _municipality_by_code(code)
        to = _municipality_by_code(to_code) if to_code else None
        if municipality is None:
            problem = "unknown_municipality"
        elif to_code and to is None:
            problem = "unknown_to"
        else:
            journey = analysis.journey_for_place(event.slug, municipality, to)
    english = (get_language() or "sv").startswith("en")
    if journey:
        for step in journey["steps"]:
            step["display_need"] = (step["need_en"] or step["need"]) if english else step["need"]
    columns, lanes = _swimlanes(journey) if journey else ([], [])
    labels = dict(responsible_choices())
    steps = list(event.steps.all())
    for step in steps:
        # Display values for the template, carried on the step itself.
        step.responsible_label = labels.get(  # type: ignore[attr-defined]
            step.responsible, step.responsible)
        step.display_need = (  # type: ignore[attr-defined]
            (step.need_en or step.need) if english else step.need)
    return render(request, "journeys/life_event_detail.html", {
        "event": event,
        "steps": steps,
        "initiatives": _initiatives_addressing(request.user, event),
        "municipalities": _municipalities(),
        "selected": code,
        "selected_to": to_code,
        "journey": journey,
        "columns": columns,
        "lanes": lanes,
        "event_label": (event.label_en or event.label_sv) if english else event.label_sv,
        "event_description": (event.description_en or event.description) if english
        else event.description,
        "problem": problem,
        "can_edit": can_edit_catalogue(request.user),
    })


def _for_display(result: dict[str, Any], language: str) -> None:
    """Add the labels, descriptions and needs to show in the interface language."""
    english = language.startswith("en")
    for event in result["life_events"]:
        event["display_label"] = (event["label_en"] or event["label"]) if english \
            else event["label"]
        event["display_description"] = (event["description_en"] or event["description"]) \
            if english else event["description"]
    for service in result["services"]:
        service["display_need"] = (service["need_en"] or service["need"]) if english \
            else service["need"]


# The outcome of a search, from the page to the count: a header of the response, kept with the
# page in the shared page cache, and taken off before the response is sent.
OUTCOME = "X-Mellanrum-Finder-Outcome"


def finder(request: HttpRequest) -> HttpResponse:
    """The public finder. Every search is counted (by outcome), also one whose page comes from
    the shared page cache: the count is written after the page, which then writes nothing and
    can be kept."""
    response = _finder_page(request)
    outcome = response.get(OUTCOME)
    if outcome is not None:
        del response[OUTCOME]
        actions.do_count_finder_search(outcome)
    return response


def _searched(response: HttpResponse, outcome: str) -> HttpResponse:
    response[OUTCOME] = outcome
    return response


@cached_page
def _finder_page(request: HttpRequest) -> HttpResponse:
    actions.ensure_catalogue()
    place_text = request.GET.get("place", "")[:200]
    raw_query = request.GET.get("q", "")
    context: dict[str, Any] = {"place": place_text.strip(), "q": raw_query[:MAX_QUERY_LENGTH]}
    if "q" not in request.GET and "place" not in request.GET:
        return render(request, "journeys/finder.html", context)
    query = " ".join(strip_tags(raw_query).split())
    if len(raw_query) > MAX_QUERY_LENGTH:
        context["query_problem"] = "too_long"
    elif not query:
        context["query_problem"] = "empty"
    lookup = analysis.lookup_municipality(place_text) if place_text.strip() else None
    context["lookup"] = lookup
    municipality = lookup.organisation if lookup else None
    context["municipality"] = municipality
    if "query_problem" in context:
        return _searched(render(request, "journeys/finder.html", context, status=200),
                         "rejected")
    result = analysis.find_for_place(query, municipality)
    _for_display(result, get_language() or "sv")
    context["result"] = result
    context["searched"] = True
    return _searched(render(request, "journeys/finder.html", context),
                     "with_results" if result["life_events"] or result["services"]
                     else "without_results")


def _step_initial(event: LifeEvent) -> list[dict[str, Any]]:
    return [
        {"need": s.need, "responsible": s.responsible, "provider": s.provider,
         "hints_text": "\n".join(s.activity_hints), "data_items_text": ", ".join(s.data_items),
         "lead_time_days": s.lead_time_days, "need_en": s.need_en,
         "waits_for_text": ", ".join(str(n) for n in s.waits_for),
         "when_text": ", ".join(s.when)}
        for s in event.steps.all()
    ]


def _edit(request: HttpRequest, event: LifeEvent | None, editor: User) -> HttpResponse:
    if request.method == "POST":
        form = LifeEventForm(request.POST, instance=event)
        formset = StepFormSet(request.POST, prefix="steps")
        if form.is_valid() and formset.is_valid():
            steps = [
                actions.StepData(
                    need=f.cleaned_data["need"].strip(),
                    responsible=f.cleaned_data["responsible"],
                    provider=f.cleaned_data.get("provider", "").strip(),
                    activity_hints=tuple(split_lines(f.cleaned_data.get("hints_text", ""))),
                    data_items=tuple(
                        d.lower() for d in
                        split_lines(f.cleaned_data.get("data_items_text", ""), commas=True)
                    ),
                    lead_time_days=f.cleaned_data.get("lead_time_days"),
                    need_en=f.cleaned_data.get("need_en", "").strip(),
                    when=tuple(split_lines(f.cleaned_data.get("when_text", ""), commas=True)),
                    waits_for=f.cleaned_data.get("waits_for_text") or (),
                )
                for f in formset.forms
                if f.has_changed() and not f.cleaned_data.get("DELETE")
            ]
            data = form.cleaned_data
            try:
                saved = actions.do_save_life_event(
                    event, acting_user=editor, slug=data["slug"],
                    label_sv=data["label_sv"].strip(), label_en=data["label_en"].strip(),
                    audience=data["audience"], description=data["description"].strip(),
                    synonyms=split_lines(data["synonyms_text"]), steps=steps,
                    description_en=data.get("description_en", "").strip(),
                )
            except (ValidationError, ValueError) as exc:
                form.add_error(None, "; ".join(getattr(exc, "messages", [str(exc)])))
            else:
                messages.success(request, _("The life event was saved."))
                return redirect(saved.get_absolute_url())
    else:
        form = LifeEventForm(instance=event)
        formset = StepFormSet(prefix="steps", initial=_step_initial(event) if event else None)
    return render(request, "journeys/life_event_form.html",
                  {"form": form, "formset": formset, "event": event})


@login_required
def life_event_create(request: HttpRequest) -> HttpResponse:
    editor = require_catalogue_editor(request.user)
    return _edit(request, None, editor)


@login_required
def life_event_edit(request: HttpRequest, slug: str) -> HttpResponse:
    editor = require_catalogue_editor(request.user)
    event = access_life_event(editor, slug, write=True)
    return _edit(request, event, editor)


@require_POST
@login_required
def life_event_delete(request: HttpRequest, slug: str) -> HttpResponse:
    editor = require_catalogue_editor(request.user)
    event = access_life_event(editor, slug, write=True)
    actions.do_delete_life_event(event, acting_user=editor)
    messages.success(request, _("The life event was deleted."))
    return redirect("journeys:life_events")


def catalogue_export(request: HttpRequest) -> HttpResponse:
    actions.ensure_catalogue()
    body = json.dumps(analysis.catalogue_document(), ensure_ascii=False, indent=1)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="mellanrum-livshandelser.json"'
    return response


@login_required
def catalogue_import(request: HttpRequest) -> HttpResponse:
    editor = require_catalogue_editor(request.user)
    form = CatalogueImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            counts = actions.do_import_catalogue(form.cleaned_data["file"],
                                                 acting_user=editor)
        except analysis.CatalogueError as exc:
            form.add_error("file", str(exc))
        except ValidationError as exc:
            form.add_error("file", "; ".join(exc.messages))
        else:
            messages.success(request, _(
                "Catalogue imported: %(created)d new and %(updated)d updated life events."
            ) % counts)
            return redirect("journeys:life_events")
    return render(request, "journeys/catalogue_import.html", {"form": form})
