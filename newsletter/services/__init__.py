"""Writes of the e-journal, one module per sub-domain: segments, deliveries (start, build, sweep),
sending (the batches), subscribers, engagement (answers, replies, opens, clicks) and inbound mail."""


class NewsletterError(Exception):
    """A request the e-journal cannot carry out; the message is meant for the user."""
