"""The demo's workshop, in the initiative Storsthlm runs as facilitator (``consent_demo``), so
that one initiative tells the whole story: statements its process leader recorded on the
partners' behalf at the workshop (all but one confirmed by the partner), a tension set by a
person, and shared principles approved by every paying partner at version 2 (version 1 was
approved before Vaxholm asked for its budget ceiling to be written in).

Illustrative like the rest of the demo; written through the actions, and only once.
"""

from __future__ import annotations

from django.db import transaction

from mellanrum.core.models import User
from mellanrum.landscape.demo import ASSOCIATION_CODE
from mellanrum.landscape.models import Organisation

from . import workshop_actions as wa
from .consent_demo import TITLE
from .models import Initiative, Statement, Tension

REUSE = "Vi återanvänder befintliga e-tjänsteplattformar."
CEILING_WORD = "500 000 kr"
# (organisation code, kind, text, confirmed)
ON_BEHALF = (
    ("0182", "principle", REUSE, True),
    ("0187", "budget_rule", "Investeringar över 500 000 kr per år ryms inte i budgetramen.",
     True),
    ("0120", "principle", "Invånarna ska kunna följa sitt ärende digitalt.", True),
    ("0187", "constraint", "Handläggningen av ekonomiskt bistånd ska ligga kvar i varje "
     "kommun.", True),
    ("0138", "constraint", "Personuppgifter får inte lagras utanför EU.", False),
)
VERSION_1 = (
    ("Vi bygger på en befintlig e-tjänsteplattform i stället för att upphandla en ny.",
     (REUSE,)),
    ("Alla ansökningar om ekonomiskt bistånd ska kunna göras och följas digitalt.",
     ("Invånarna ska kunna följa sitt ärende digitalt.",)),
    ("Varje kommun fattar själv beslut i sina ärenden; e-tjänsten är gemensam.",
     ("Handläggningen av ekonomiskt bistånd ska ligga kvar i varje kommun.",)),
)
VERSION_2_FIRST = ("Vi bygger på en befintlig e-tjänsteplattform i stället för att upphandla "
                   "en ny, och varje kommuns andel av anpassningen ryms inom 500 000 kr per år.")


def _facilitator(initiative: Initiative) -> User | None:
    """The association's process leader if the demo has one, else an editor of the lead."""
    leader = User.objects.filter(organisation__code=ASSOCIATION_CODE, role="editor").first()
    if leader is not None:
        return leader
    lead = initiative.lead
    return User.objects.filter(organisation=lead.organisation, role="editor").first() \
        if lead else None


def _editor(organisation: Organisation) -> User | None:
    return User.objects.filter(organisation=organisation, role__in=["editor", "admin"]).first()


def _by_text(initiative: Initiative, texts: tuple[str, ...]) -> list[Statement]:
    return list(initiative.statements.filter(text__in=texts))


@transaction.atomic
def do_load_demo_workshop() -> bool:
    """Add the workshop to the demo initiative once; True when it was added now."""
    initiative = Initiative.objects.filter(title=TITLE, is_illustrative=True).first()
    if initiative is None or initiative.principle_versions.exists():
        return False
    facilitator = _facilitator(initiative)
    organisations = {p.organisation.code: p.organisation
                     for p in initiative.partners.select_related("organisation")}
    for code, kind, text, confirmed in ON_BEHALF:
        if code not in organisations or initiative.statements.filter(text=text).exists():
            continue
        statement = wa.do_record_on_behalf(initiative, acting_user=facilitator,
                                           organisation=organisations[code], kind=kind,
                                           text=text)
        if confirmed:
            wa.do_confirm_statement(statement, acting_user=_editor(organisations[code]))

    reuse = initiative.statements.filter(text=REUSE).first()
    ceiling = initiative.statements.filter(text__contains=CEILING_WORD).first()
    if reuse is not None and ceiling is not None and not Tension.objects.filter(
            initiative=initiative).exists():
        wa.do_set_tension(reuse, ceiling, Tension.Stance.TENSION, acting_user=facilitator,
                          note="Nacka visar vad anpassningen av plattformen kostar de andra "
                          "innan kommunerna beslutar.")

    paying = [p.organisation for p in initiative.partners.select_related("organisation")
              if p.pays]
    first = wa.do_start_principles_draft(initiative, acting_user=facilitator)
    for text, cites in VERSION_1:
        wa.do_add_principle(first, acting_user=facilitator, text=text,
                            statements=_by_text(initiative, cites))
    first = wa.do_publish_principles(first, acting_user=facilitator, note="Första versionen efter "
                             "workshopen.")
    # Vaxholm asked for its budget ceiling to be written in before approving.
    for organisation in [o for o in paying if o.code != "0187"]:
        wa.do_approve_principles(first, acting_user=_editor(organisation),
                                 organisation=organisation)

    second = wa.do_start_principles_draft(initiative, acting_user=facilitator)
    opening = second.principles.order_by("position").first()
    if opening is not None:
        wa.do_update_principle(opening, acting_user=facilitator, text=VERSION_2_FIRST,
                               statements=[s for s in (reuse, ceiling) if s is not None])
    second = wa.do_publish_principles(second, acting_user=facilitator,
                             note="Vaxholms budgettak är inskrivet i den första principen.")
    for organisation in paying:
        wa.do_approve_principles(second, acting_user=_editor(organisation),
                                 organisation=organisation)
    return True
