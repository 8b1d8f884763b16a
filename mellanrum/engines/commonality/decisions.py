"""Human decisions about concepts, kept across reruns."""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Literal

__all__ = ["Decision", "PinnedState", "resolve_decisions"]

DecisionKind = Literal["confirm", "include", "exclude", "merge", "split"]


@dataclass(frozen=True)
class Decision:
    """One decision a person made about a concept.

    Every decision pins its concept: the concept keeps ``concept_id`` on
    rerun and its pinned activities stay together, whatever the data.  New
    activities may still join a pinned concept by similarity; two pinned
    concepts are never merged automatically.

    Kinds
    -----
    ``confirm``
        `members` form concept `concept_id`, optionally named `label`.
    ``include``
        `activity_ids` are forced into `concept_id`.
    ``exclude``
        `activity_ids` are forced out of `concept_id` and never rejoin it.
    ``merge``
        Concepts `other_concept_ids` are merged into `concept_id`.
    ``split``
        `activity_ids` leave `concept_id` and form `new_concept_id` (derived
        from the ids when not given), which is kept apart from `concept_id`.

    For every kind, `members` may carry the concept's members as the person
    saw them; they are pinned to `concept_id` first (implicit confirmation).
    Decisions are applied in sequence order, so later ones win.  Ids of
    activities that no longer exist are ignored.

    Examples
    --------
    >>> Decision("confirm", "bygglov", members=("a1", "a2"), label="Bygglov").kind
    'confirm'
    """

    kind: DecisionKind
    concept_id: str
    members: tuple[str, ...] = ()
    activity_ids: tuple[str, ...] = ()
    other_concept_ids: tuple[str, ...] = ()
    label: str | None = None
    new_concept_id: str | None = None
    new_label: str | None = None


@dataclass
class PinnedState:
    """Resolved decisions: who is pinned where, who is kept out of what."""

    pin: dict[str, str] = field(default_factory=dict)
    excluded: dict[str, set[str]] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)


def _split_id(concept_id: str, activity_ids: Sequence[str]) -> str:
    digest = hashlib.sha1("\x1f".join([concept_id, *sorted(activity_ids)]).encode()).hexdigest()
    return f"{concept_id}-split-{digest[:8]}"


def resolve_decisions(decisions: Sequence[Decision], known_ids: Collection[str]) -> PinnedState:
    """Apply `decisions` in order and return the pins for activities in `known_ids`.

    Examples
    --------
    >>> decisions = [
    ...     Decision("confirm", "x", members=("a", "b")),
    ...     Decision("exclude", "x", activity_ids=("b",)),
    ... ]
    >>> state = resolve_decisions(decisions, {"a", "b"})
    >>> state.pin, state.excluded
    ({'a': 'x'}, {'b': {'x'}})
    """
    state = PinnedState()

    def pin(activity_id: str, concept_id: str) -> None:
        if activity_id in known_ids:
            state.pin[activity_id] = concept_id
            state.excluded.get(activity_id, set()).discard(concept_id)

    def exclude(activity_id: str, concept_id: str) -> None:
        if activity_id in known_ids:
            if state.pin.get(activity_id) == concept_id:
                del state.pin[activity_id]
            state.excluded.setdefault(activity_id, set()).add(concept_id)

    for decision in decisions:
        cid = decision.concept_id
        for member in decision.members:
            if cid not in state.excluded.get(member, set()):
                pin(member, cid)
        if decision.label:
            state.labels[cid] = decision.label
        if decision.kind == "include" or decision.kind == "confirm":
            for activity_id in decision.activity_ids:
                pin(activity_id, cid)
        elif decision.kind == "exclude":
            for activity_id in decision.activity_ids:
                exclude(activity_id, cid)
        elif decision.kind == "merge":
            others = set(decision.other_concept_ids) - {cid}
            for activity_id, pinned in list(state.pin.items()):
                if pinned in others:
                    state.pin[activity_id] = cid
            for excluded in state.excluded.values():
                if excluded & others:
                    excluded -= others
                    excluded.add(cid)
            for other in others:
                state.labels.pop(other, None)
        elif decision.kind == "split":
            new_id = decision.new_concept_id or _split_id(cid, decision.activity_ids)
            for activity_id in decision.activity_ids:
                exclude(activity_id, cid)
                pin(activity_id, new_id)
            if decision.new_label:
                state.labels[new_id] = decision.new_label
        else:
            raise ValueError(f"unknown decision kind {decision.kind!r}")
    return state
