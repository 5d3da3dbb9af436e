"""Writes of customer care: customers, calls and scripts, complaints, campaigns, reports."""


class CareError(Exception):
    """A request care cannot carry out; the message is meant for the user."""
