"""Fixtures the journeys share with the apps' tests."""

from tests.newsletter.conftest import journal  # noqa: F401  (the journal's demo content, both languages)
