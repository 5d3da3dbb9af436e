"""Writes of the e-journal. Submodules: pages and engagement (issues, answers, replies) and
delivery (subscribers, sending)."""


class NewsletterError(Exception):
    """A request the e-journal cannot carry out; the message is meant for the user."""
