from datetime import date
from decimal import Decimal
from typing import Literal

from django.db.models import QuerySet
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import field_validator

from mellanrum.core.http import AuthenticatedHttpRequest
from mellanrum.lib.pagination import BoundedLimitOffsetPagination

from . import actions, imports
from .access import access_activity, access_organisation, organisation_by_code
from .forms import parse_systems
from .models import Activity, Category, Contact, Organisation
from .views import filter_activities, filter_organisations

router = Router(tags=["landscape"])


class OrganisationOut(Schema):
    code: str
    name: str
    short_name: str
    kind: str
    county_code: str
    county_name: str
    population: int | None
    population_date: date | None
    skr_group_code: str
    skr_group_name: str
    municipal_tax_rate: Decimal | None
    regional_tax_rate: Decimal | None
    tax_year: int | None
    website: str
    member_codes: list[str] = Field(default_factory=list)

    @staticmethod
    def resolve_member_codes(obj: Organisation) -> list[str]:
        return [m.code for m in obj.members.all()]


class OrganisationFilter(Schema):
    q: str = ""
    county: str = ""
    kind: str = ""
    skr: str = ""
    band: str = ""
    group: str = ""
    association: str = ""
    tax_min: str = ""
    tax_max: str = ""


class SystemOut(Schema):
    product: str
    vendor: str


class ActivityOut(Schema):
    id: int
    organisation: str = Field(..., alias="organisation.code")
    key: str
    name: str
    description: str
    kind: str
    category: str | None = Field(None, alias="category.code")
    annual_cost_sek: Decimal | None
    volume_per_year: Decimal | None
    volume_unit: str
    fte: Decimal | None
    lead_time_days: Decimal | None
    legal_basis: str
    url: str
    systems: list[SystemOut]
    owner: str | None = Field(None, alias="owner.name")
    is_illustrative: bool
    version: int


class ActivityFilter(Schema):
    q: str = ""
    organisation: str = ""
    county: str = ""
    kind: str = ""
    category: str = ""
    system: str = ""
    sort: str = ""


class ActivityIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    description: str = Field("", max_length=5000)
    kind: Literal["service", "process", "eservice"] = "service"
    category: str | None = None
    annual_cost_sek: Decimal | None = Field(None, ge=0, le=Decimal("1e12"))
    volume_per_year: Decimal | None = Field(None, ge=0, le=Decimal("1e12"))
    volume_unit: str = Field("", max_length=50)
    fte: Decimal | None = Field(None, ge=0, le=100000)
    lead_time_days: Decimal | None = Field(None, ge=0, le=3650)
    legal_basis: str = Field("", max_length=500)
    url: str = Field("", max_length=500)
    systems: list[str] = Field(default_factory=list, description='"Product (Vendor)" strings')
    owner: str | None = Field(None, description="Name or e-mail of a contact person")
    version: int | None = Field(None, description="Version you edited, to detect conflicts")

    @field_validator("*")
    @classmethod
    def refuse_nul_characters(cls, value: object) -> object:
        # PostgreSQL cannot store NUL in text; the web forms refuse it too.
        texts = value if isinstance(value, list) else [value]
        if any(isinstance(text, str) and "\x00" in text for text in texts):
            raise ValueError("NUL characters are not allowed.")
        return value


def _fields(organisation: Organisation, payload: ActivityIn) -> dict[str, object]:
    from django.core.exceptions import ValidationError

    category = None
    if payload.category:
        category = Category.objects.filter(code=payload.category).first()
        if category is None:
            raise ValidationError({"category": [f"Unknown category: {payload.category}"]})
    owner = None
    if payload.owner:
        owner = (
            Contact.objects.filter(organisation=organisation, name__iexact=payload.owner).first()
            or Contact.objects.filter(
                organisation=organisation, email__iexact=payload.owner
            ).first()
        )
        if owner is None:
            raise ValidationError({"owner": [f"Unknown contact person: {payload.owner}"]})
    if payload.url and not payload.url.lower().startswith(("http://", "https://")):
        raise ValidationError({"url": ["Only http:// and https:// addresses are allowed."]})
    data = payload.dict(exclude={"category", "owner", "systems", "version"})
    return {**data, "category": category, "owner": owner}


def _systems(payload: ActivityIn) -> list[tuple[str, str]]:
    from django import forms
    from django.core.exceptions import ValidationError

    try:
        return parse_systems(" | ".join(payload.systems))
    except forms.ValidationError as exc:
        raise ValidationError({"systems": exc.messages}) from None


@router.get("/organisations", response=list[OrganisationOut])
@paginate(BoundedLimitOffsetPagination)
def list_organisations(
    request: AuthenticatedHttpRequest, filters: Query[OrganisationFilter],
) -> QuerySet[Organisation]:
    from django.http import QueryDict

    params = QueryDict(mutable=True)
    params.update({k: v for k, v in filters.dict().items() if v})
    return filter_organisations(params).order_by("code").prefetch_related("members")


@router.get("/organisations/{code}", response=OrganisationOut)
def get_organisation(request: AuthenticatedHttpRequest, code: str) -> Organisation:
    return organisation_by_code(code)


@router.get("/activities", response=list[ActivityOut])
@paginate(BoundedLimitOffsetPagination)
def list_activities(
    request: AuthenticatedHttpRequest, filters: Query[ActivityFilter],
) -> QuerySet[Activity]:
    from django.http import QueryDict

    params = QueryDict(mutable=True)
    params.update({k: v for k, v in filters.dict().items() if v})
    return filter_activities(params).select_related("owner").prefetch_related("systems")


@router.get("/activities/{int:pk}", response=ActivityOut)
def get_activity(request: AuthenticatedHttpRequest, pk: int) -> Activity:
    return access_activity(request.user, pk)


@router.post("/organisations/{code}/activities", response={201: ActivityOut})
def create_activity(
    request: AuthenticatedHttpRequest, code: str, payload: ActivityIn,
) -> Status[Activity]:
    organisation = access_organisation(request.user, code, write=True)
    activity = actions.do_create_activity(
        organisation,
        acting_user=request.user,
        key=imports.key_for_name(payload.name, organisation),
        systems=_systems(payload),
        **_fields(organisation, payload),
    )
    return Status(201, activity)


@router.put("/activities/{int:pk}", response=ActivityOut)
def update_activity(request: AuthenticatedHttpRequest, pk: int, payload: ActivityIn) -> Activity:
    activity = access_activity(request.user, pk, write=True)
    return actions.do_update_activity(
        activity,
        acting_user=request.user,
        expected_version=payload.version,
        systems=_systems(payload),
        **_fields(activity.organisation, payload),
    )


@router.delete("/activities/{int:pk}", response={204: None})
def delete_activity(request: AuthenticatedHttpRequest, pk: int) -> Status[None]:
    activity = access_activity(request.user, pk, write=True)
    actions.do_delete_activity(activity, acting_user=request.user)
    return Status(204, None)
