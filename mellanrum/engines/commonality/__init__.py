"""Find activities that are the same thing across organisations (plain Python, no Django)."""

from mellanrum.engines.commonality.activity import Activity
from mellanrum.engines.commonality.candidates import Candidate, maybe_same
from mellanrum.engines.commonality.concept import Concept, Member
from mellanrum.engines.commonality.decisions import Decision
from mellanrum.engines.commonality.distribution import Distribution
from mellanrum.engines.commonality.executor import (
    ClusterError,
    DaskExecutor,
    Executor,
    ProcessExecutor,
    SerialExecutor,
    executor_for,
)
from mellanrum.engines.commonality.grouping import group_activities
from mellanrum.engines.commonality.nature import (
    concept_nature,
    default_nature,
    is_core_mandate,
    klassa_area,
)
from mellanrum.engines.commonality.on_cluster import (
    ClusterRun,
    group_on_cluster,
    group_partitions_on_cluster,
)
from mellanrum.engines.commonality.opportunities import (
    ConceptContext,
    JourneyGain,
    Opportunity,
    OpportunityWeights,
    rank_opportunities,
)
from mellanrum.engines.commonality.settings import GroupingSettings
from mellanrum.engines.commonality.similarity import (
    Neighbour,
    OrganisationProfile,
    similar_organisations,
)

__all__ = [
    "Activity",
    "Candidate",
    "ClusterError",
    "ClusterRun",
    "Concept",
    "ConceptContext",
    "DaskExecutor",
    "Decision",
    "Distribution",
    "Executor",
    "GroupingSettings",
    "JourneyGain",
    "Member",
    "Neighbour",
    "Opportunity",
    "OpportunityWeights",
    "OrganisationProfile",
    "ProcessExecutor",
    "SerialExecutor",
    "concept_nature",
    "default_nature",
    "executor_for",
    "group_activities",
    "group_on_cluster",
    "group_partitions_on_cluster",
    "is_core_mandate",
    "klassa_area",
    "maybe_same",
    "rank_opportunities",
    "similar_organisations",
]
