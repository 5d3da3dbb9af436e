"""Public page of satisfaction surveys: the one-time survey link."""

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from home.ratelimit import ratelimit

from ..forms import SurveyForm
from ..models import SurveyInvitation
from ..services import CareError
from ..services.satisfaction import survey_answer


@never_cache
@ratelimit("care-survey", limit=20, window=600)
def survey_view(request, token):
    """Rate the service once, through the token in the emailed link."""
    invitation = SurveyInvitation.objects.filter(token=token).first()
    context = {"done": False, "error": ""}
    status = 200
    if invitation is None:
        context["error"] = _("This survey link is not valid.")
        status = 404
    elif request.method == "POST":
        form = SurveyForm(request.POST)
        if not form.is_valid():
            context["error"] = " ".join(message for errors in form.errors.values() for message in errors)
            status = 400
        else:
            try:
                survey_answer(token=token, score=form.cleaned_data["score"], comment=form.cleaned_data["comment"])
            except CareError as exc:
                context["error"] = str(exc)
                status = 400
            else:
                context["done"] = True
    elif invitation.answered_at:
        context["error"] = _("This survey has already been answered. Thank you!")
    elif invitation.is_expired:
        context["error"] = _("This survey link has expired.")
    return render(request, "care/survey.html", context, status=status)
