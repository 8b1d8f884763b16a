"""Reading the workshop: tension suggestions (the adapter to ``engines.tension``), the approval
state of the shared principles, and the differences between two versions (``difflib``)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from itertools import combinations

from django.utils.translation import get_language

from mellanrum.engines.tension import Suggestion, suggest_tension

from .models import (
    Alignment,
    Goal,
    Initiative,
    Partner,
    PrincipleVersion,
    Statement,
    Tension,
)

__all__ = ["DiffLine", "PairRow", "VersionState", "approving_partners", "diff_versions",
           "goal_rows", "latest_approved", "partner_rows", "reason", "version_state"]


def reason(suggestion: Suggestion) -> str:
    """The suggestion's reasons in the reader's language."""
    return suggestion.en if (get_language() or "sv").startswith("en") else suggestion.sv


def goal_text(goal: Goal) -> str:
    return " ".join([goal.title, goal.indicator, goal.target])


@dataclass
class PairRow:
    first: Statement
    second: Statement | None  # None for a statement against a goal
    goal: Goal | None
    suggestion: Suggestion
    stance: str  # as set by a person, "" when nobody has
    set_by: str
    note: str = ""

    @property
    def reason(self) -> str:
        return reason(self.suggestion)


ORDER = {"conflicts": 0, "tension": 1, "supports": 2, "neutral": 3}


def _statements(initiative: Initiative) -> list[Statement]:
    statements = list(initiative.statements.select_related("organisation", "recorded_by",
                                                           "confirmed_by"))
    for statement in statements:
        statement.initiative = initiative
    return statements


def partner_rows(initiative: Initiative) -> tuple[list[PairRow], int]:
    """Every pair of two partners' statements that is related or has a stance set, the most
    serious first; and how many unrelated pairs were left out."""
    set_pairs = {(t.first_id, t.second_id): t
                 for t in Tension.objects.filter(initiative=initiative).select_related("set_by")}
    rows: list[PairRow] = []
    left_out = 0
    for first, second in combinations(_statements(initiative), 2):
        if first.organisation_id == second.organisation_id:
            continue
        if first.pk > second.pk:
            first, second = second, first
        suggestion = suggest_tension(first.text, second.text, first_kind=first.kind,
                                     second_kind=second.kind)
        found = set_pairs.get((first.pk, second.pk))
        if found is None and suggestion.stance == "neutral":
            left_out += 1
            continue
        rows.append(PairRow(first, second, None, suggestion, found.stance if found else "",
                            found.set_by.get_username() if found and found.set_by else "",
                            found.note if found else ""))
    rows.sort(key=lambda r: (r.stance == "", ORDER.get(r.stance or r.suggestion.stance, 9),
                             r.first.pk, r.second.pk if r.second else 0))
    return rows, left_out


def goal_rows(initiative: Initiative) -> list[PairRow]:
    """Every statement against every shared goal, with the stance set on the alignment page."""
    goals = list(initiative.goals.all())
    set_stances = {(a.statement_id, a.goal_id): a for a in Alignment.objects.filter(
        statement__initiative=initiative).select_related("set_by")}
    rows = []
    for statement in _statements(initiative):
        for goal in goals:
            suggestion = suggest_tension(statement.text, goal_text(goal),
                                         first_kind=statement.kind)
            found = set_stances.get((statement.pk, goal.pk))
            rows.append(PairRow(statement, None, goal, suggestion, found.stance if found else "",
                                found.set_by.get_username() if found and found.set_by else ""))
    rows.sort(key=lambda r: (r.stance == "", ORDER.get(r.stance or r.suggestion.stance, 9)))
    return rows


# --- Shared principles -----------------------------------------------------------------------


def approving_partners(initiative: Initiative) -> list[Partner]:
    """The partners whose approval the shared principles need: every accepted partner that
    pays (``Partner.pays``). Observers may approve but are not waited for; the facilitator
    drafts the principles and does not approve them for the partners."""
    return [p for p in initiative.partners.select_related("organisation") if p.pays]


@dataclass
class VersionState:
    version: PrincipleVersion
    approved: list[tuple[str, str, object]] = field(default_factory=list)  # name, by, when
    waiting: list[str] = field(default_factory=list)  # partner names
    is_latest: bool = False

    @property
    def approved_by_all(self) -> bool:
        return not self.version.is_draft and not self.waiting


def version_state(version: PrincipleVersion, partners: list[Partner],
                  latest: PrincipleVersion | None) -> VersionState:
    approvals = list(version.approvals.select_related("organisation", "approved_by"))
    done = {a.organisation_id for a in approvals}
    return VersionState(
        version,
        [(a.organisation.name, a.approved_by.get_username() if a.approved_by else "",
          a.approved_at) for a in approvals],
        [] if version.is_draft else
        [p.organisation.name for p in partners if p.organisation_id not in done],
        latest is not None and latest.pk == version.pk,
    )


def latest_approved(initiative: Initiative) -> PrincipleVersion | None:
    """The newest published version every approving partner has approved."""
    partners = approving_partners(initiative)
    for version in initiative.principle_versions.filter(
            status=PrincipleVersion.Status.PUBLISHED).order_by("-number"):
        if version_state(version, partners, None).approved_by_all:
            return version
    return None


@dataclass(frozen=True)
class DiffLine:
    op: str  # "same", "added", "removed" or "changed"
    parts: tuple[tuple[str, str], ...]  # (op, text) pieces: "same", "added", "removed"


def _word_diff(old: str, new: str) -> tuple[tuple[str, str], ...]:
    a, b = old.split(" "), new.split(" ")
    parts: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            parts.append(("same", " ".join(a[i1:i2])))
            continue
        if i2 > i1:
            parts.append(("removed", " ".join(a[i1:i2])))
        if j2 > j1:
            parts.append(("added", " ".join(b[j1:j2])))
    return tuple(parts)


def diff_versions(old: PrincipleVersion | None, new: PrincipleVersion) -> list[DiffLine]:
    """The principles of `new` against `old`, line by line, changed lines word by word."""
    a = [p.text for p in old.principles.all()] if old else []
    b = [p.text for p in new.principles.all()]
    lines: list[DiffLine] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            lines.extend(DiffLine("same", (("same", t),)) for t in b[j1:j2])
        elif op == "replace" and i2 - i1 == j2 - j1:
            lines.extend(DiffLine("changed", _word_diff(x, y))
                         for x, y in zip(a[i1:i2], b[j1:j2], strict=True))
        else:
            lines.extend(DiffLine("removed", (("removed", t),)) for t in a[i1:i2])
            lines.extend(DiffLine("added", (("added", t),)) for t in b[j1:j2])
    return lines
