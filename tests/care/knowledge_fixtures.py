"""The journal and knowledge-base fixtures of the newsletter tests, for care tests that email articles
(imported by each test module: `from ..knowledge_fixtures import *`)."""

from tests.newsletter.conftest import journal, knowledge

__all__ = ["journal", "knowledge"]
