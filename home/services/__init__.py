"""Writes of the shared base, one module per sub-domain: ``people``, ``outbox``, ``consent`` and ``rights``.

Import the module you need (``from home.services.people import person_match_or_create``); this package
re-exports nothing. A Celery task is defined beside the service it runs, so a service enqueues it
without importing a tasks module.
"""
