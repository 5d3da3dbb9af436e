"""Site-wide views: the health check and the 404 and 500 pages."""

from celery import current_app
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.shortcuts import render
from kombu.exceptions import OperationalError as KombuOperationalError


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return False
    return True


def _broker_ok() -> bool:
    try:
        with current_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=2)
    except (KombuOperationalError, OSError):
        return False
    return True


def healthz(request):
    """The database and the Celery broker, each reported. Without the database nothing works (503);
    without the broker the site still serves and takes forms (mail waits in the outbox), so that is
    "degraded" with 200."""
    database, broker = _database_ok(), _broker_ok()
    status = "ok" if database and broker else ("degraded" if database else "error")
    return JsonResponse(
        {"status": status, "database": "ok" if database else "unreachable", "broker": "ok" if broker else "unreachable"},
        status=200 if database else 503,
    )


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    return render(request, "500.html", status=500)
