"""The shared base's one domain exception."""


class HomeError(Exception):
    """A request the shared base cannot carry out; the message is meant for the user."""
