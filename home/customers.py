"""The customer's session: a session key holding the signed-in person's id.

Separate from staff sign-in on purpose: a customer is a ``Person``, never a Django user, so
``request.user`` stays anonymous and nothing under /admin/ opens for them.
"""

from django.http import Http404

from .models import Person

SESSION_KEY = "customer_person_id"


def customer_login(request, person: Person) -> None:
    request.session.cycle_key()  # a new session id: one planted before sign-in is worthless after
    request.session[SESSION_KEY] = person.pk


def customer_logout(request) -> None:
    request.session.pop(SESSION_KEY, None)
    request.session.cycle_key()


def customer_current(request) -> Person | None:
    """The signed-in customer, or None."""
    if not hasattr(request, "_customer"):
        person_id = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
        request._customer = Person.objects.filter(pk=person_id).first() if person_id else None
    return request._customer


def customer_required(request) -> Person:
    """The signed-in customer, or Http404 (for views serving a customer's own records)."""
    person = customer_current(request)
    if person is None:
        raise Http404
    return person
