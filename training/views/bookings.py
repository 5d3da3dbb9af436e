"""Public views of bookings: the sign-up form and the attendee's private booking page.

The booking page and its actions are reached only through the unguessable token in the sign-up's
links; an unknown token is a plain 404 that says nothing about any booking.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from home.ratelimit import client_ip, hit, hits

from ..emails import course_in_language
from ..forms import AttendeeFormSet, BookingForm, MoveForm
from ..models import Signup
from ..selectors import course_other_sessions, sessions_with_figures, signup_by_token, upcoming_sessions
from ..services import TrainingError
from ..services import signups as signup_services
from .catalogue import site_language


def _private(response):
    """Pages behind a private link: never cached, never indexed, the link never sent to another site as a referrer."""
    response["Cache-Control"] = "no-store, private"
    response["Referrer-Policy"] = "same-origin"  # no-referrer would make Chromium send "Origin: null" and fail CSRF
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _rate_limited(request, scope: str) -> bool:
    limit = getattr(settings, "TRAINING_SIGNUP_RATE_LIMIT", 10)
    return not hit(scope, client_ip(request), limit=limit, window=3600)


# Limits on bookings made, per hour; a form sent back with mistakes costs nothing. One network address
# is often a whole office (behind one NAT address) whose coordinator books colleagues into several
# classes, so it gets 20 bookings an hour (up to 100 seats); one booker's email gets 6 (several classes,
# with a correction or two). Seats held unpaid are capped per booker and class in the services, so
# even within these limits nobody can hold a whole class. Only a flood (120 posts an hour, mistakes
# included) from one address is refused outright.
BOOKINGS_PER_ADDRESS = 20
BOOKINGS_PER_BOOKER = 6
POSTS_PER_ADDRESS = 120


def _booking_limit_reached(request, booker_email: str) -> str:
    """The reason a new booking is refused now, or "" (nothing is counted here)."""
    address_limit = getattr(settings, "TRAINING_BOOKINGS_PER_ADDRESS", BOOKINGS_PER_ADDRESS)
    booker_limit = getattr(settings, "TRAINING_BOOKINGS_PER_BOOKER", BOOKINGS_PER_BOOKER)
    if hits("training-booking-address", client_ip(request), window=3600) >= address_limit:
        return _("Your network has made %(count)s bookings within the hour, the most we accept. Your entries are "
                 "kept: please send the form again in an hour, or call the service hotline.") % {"count": address_limit}
    if hits("training-booking-booker", booker_email, window=3600) >= booker_limit:
        return _("%(email)s has made %(count)s bookings within the hour, the most we accept. Your entries are kept: "
                 "please send the form again in an hour, or call the service hotline.") % {
                     "email": booker_email, "count": booker_limit}
    return ""


def _booking_counted(request, booker_email: str) -> None:
    hit("training-booking-address", client_ip(request), limit=10**6, window=3600)
    hit("training-booking-booker", booker_email, limit=10**6, window=3600)


def signup_view(request, session_id: int):
    session = get_object_or_404(upcoming_sessions(), pk=session_id)
    course = course_in_language(session.course, site_language())
    if request.method == "POST":
        posts = getattr(settings, "TRAINING_SIGNUP_POSTS_PER_ADDRESS", POSTS_PER_ADDRESS)
        if not hit("training-signup-post", client_ip(request), limit=posts, window=3600):
            return render(request, "429.html", status=429)
        form = BookingForm(request.POST)
        attendees = AttendeeFormSet(request.POST, prefix="attendee")
        if form.is_valid() and attendees.is_valid():
            people = [f.cleaned_data for f in attendees.forms if f.cleaned_data]
            refused = _booking_limit_reached(request, people[0]["email"])
            try:
                if refused:
                    raise TrainingError(refused)
                booking = signup_services.booking_create(
                    session_id=session.pk,
                    attendees=people,
                    company=form.cleaned_data["company"],
                    serial_number=form.cleaned_data["serial_number"],
                    language=site_language(),
                    terms_text=str(form.fields["accept_terms"].label),
                    booker_address=client_ip(request),
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            except TrainingError as exc:
                form.add_error(None, str(exc))
            else:
                _booking_counted(request, people[0]["email"])
                first = booking.signups.order_by("pk").first()
                waiting = booking.signups.filter(status=Signup.Status.WAITING).count()
                if waiting and sessions_with_figures().get(pk=session.pk).seats_left > 0:
                    messages.info(request, _(
                        "One booker may hold at most half of a class's seats unpaid: %(count)s attendee(s) are on the "
                        "waiting list and are offered seats once the seats you hold are paid.") % {"count": waiting})
                elif waiting == len(people):
                    messages.info(request, _("The class is full: you are on the waiting list. We will email you if a seat becomes free."))
                elif waiting:
                    messages.info(request, _("%(count)s attendee(s) are on the waiting list: the class had too few seats left.") % {"count": waiting})
                else:
                    messages.success(request, _("Your seat is booked. We have emailed you the details."))
                return redirect("training:signup_manage", token=first.token)
    else:
        form = BookingForm()
        attendees = AttendeeFormSet(prefix="attendee")
    return render(request, "training/signup_form.html", {
        "session": session, "course": course, "form": form, "attendees": attendees,
    })


def _manage_context(signup):
    now = timezone.now()
    session = signup.session
    can_change = signup.status in (Signup.Status.PENDING_PAYMENT, Signup.Status.CONFIRMED) and session.signup_deadline > now
    other = []
    if can_change:
        other = list(course_other_sessions(session=session))
    return {
        "signup": signup,
        "session": session,
        "course": course_in_language(session.course, site_language()),
        "starts_at": timezone.localtime(session.starts_at),
        "can_cancel": signup.status in Signup.ACTIVE_STATUSES and (
            signup.status in (Signup.Status.WAITING, Signup.Status.OFFERED) or session.signup_deadline > now
        ),
        "can_move": bool(other),
        "move_form": MoveForm(sessions=other) if other else None,
        "offer_open": signup.status == Signup.Status.OFFERED and signup.offer_expires_at and signup.offer_expires_at > now,
        "payment": signup.payment if signup.status == Signup.Status.PENDING_PAYMENT else None,
    }


def _signup_or_404(token):
    signup = signup_by_token(token)
    if signup is None:
        raise Http404
    return signup


@never_cache
def signup_manage(request, token: str):
    signup = _signup_or_404(token)
    return _private(render(request, "training/signup_manage.html", _manage_context(signup)))


def _action(request, token, action, success):
    _signup_or_404(token)
    if _rate_limited(request, "training-booking-action"):
        return render(request, "429.html", status=429)
    try:
        action()
    except TrainingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, success)
    return _private(redirect("training:signup_manage", token=token))


@require_POST
def signup_cancel_view(request, token: str):
    return _action(request, token, lambda: signup_services.signup_cancel(token=token), _("Your sign-up is cancelled."))


@require_POST
def signup_move_view(request, token: str):
    signup = _signup_or_404(token)
    context = _manage_context(signup)
    form = MoveForm(request.POST, sessions=course_other_sessions(session=signup.session)) if context["can_move"] else None
    if form is None or not form.is_valid():
        messages.error(request, _("Choose one of the dates offered."))
        return _private(redirect("training:signup_manage", token=token))
    new_id = form.cleaned_data["session"]
    return _action(request, token, lambda: signup_services.signup_move(token=token, session_id=new_id),
                   _("Your seat is moved to the new date. We have emailed you the details."))


@require_POST
def offer_accept_view(request, token: str):
    return _action(request, token, lambda: signup_services.offer_accept(token=token), _("The seat is yours."))


@require_POST
def offer_decline_view(request, token: str):
    return _action(request, token, lambda: signup_services.offer_decline(token=token),
                   _("You declined the seat; it goes to the next person waiting."))
