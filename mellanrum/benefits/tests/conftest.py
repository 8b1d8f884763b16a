"""The initiative fixtures of the collaborations tests (Alfa leads, Beta is a partner, ...)."""

from mellanrum.collaborations.tests.conftest import (  # noqa: F401 - fixtures
    dave,
    erin,
    gamma,
    goal,
    initiative,
)
