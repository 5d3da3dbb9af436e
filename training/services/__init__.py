"""Writes of training: catalogue and sign-ups, certificates."""


class TrainingError(Exception):
    """A request training cannot carry out; the message is meant for the user."""
