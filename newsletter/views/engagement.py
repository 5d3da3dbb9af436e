"""Public views of readers' engagement: answering a question or poll, writing to the editors, and
the open pixel and click counter of a delivered issue.

Answers from the web page are POST forms; answers from an email are links to a GET page with a
button that POSTs, so a mailbox scanner following links records nothing, and one reader token
counts once per section.
"""

import base64

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from home.ratelimit import ratelimit

from ..emails import reader_token_check
from ..forms import ReplyForm
from ..models import IssuePage
from ..services import NewsletterError
from ..services.engagement import answer_record, interactive_section, link_click, recipient_open, reply_create

_PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


def _live_issue(issue_id: int) -> IssuePage:
    issue = IssuePage.objects.live().filter(pk=issue_id).first()
    if issue is None:
        raise Http404
    return issue


def _section(issue, block_id):
    child = interactive_section(issue, block_id)
    if child is None:
        raise Http404
    return child


def _choice_label(child, choice):
    if child.block_type == "helpful":
        return {"yes": _("Yes"), "no": _("No")}.get(choice)
    if choice.isdigit() and int(choice) < len(child.value["options"]):
        return child.value["options"][int(choice)]
    return None


@require_http_methods(["GET", "POST"])
@ratelimit("journal-answer", limit=30, window=60)
def answer(request, issue_id: int, block_id: str):
    issue = _live_issue(issue_id)
    child = _section(issue, block_id)
    data = request.POST if request.method == "POST" else request.GET
    choice = data.get("choice", "")
    token = data.get("r", "")
    label = _choice_label(child, choice)
    context = {"issue": issue, "section": child, "choice": choice, "choice_label": label, "token": token,
               "page": issue}
    if token and reader_token_check(token) is None:
        context["invalid"] = True
        return render(request, "newsletter/answer_confirm.html", context, status=400 if request.method == "POST" else 200)
    if request.method == "GET":
        if not token or label is None:
            return redirect(issue.url + f"#s-{child.id}")
        return render(request, "newsletter/answer_confirm.html", context)

    if token:
        reader, source = "rid:" + token, "email"
    else:
        if not request.session.session_key:
            request.session.save()
        reader, source = "session:" + request.session.session_key, "web"
    try:
        answer_record(issue_id=issue.pk, block_id=child.id, choice=choice, reader=reader, source=source)
    except NewsletterError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Thank you for your answer."))
    return redirect(issue.url + f"#s-{child.id}")


@require_http_methods(["GET", "POST"])
@ratelimit("journal-reply", limit=5, window=600)
def reply(request, issue_id: int):
    issue = _live_issue(issue_id)
    form = ReplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            reply_create(issue_id=issue.pk, body=form.cleaned_data["body"], email=form.cleaned_data["email"],
                         name=form.cleaned_data["name"], source="web")
        except NewsletterError as exc:
            form.add_error(None, str(exc))
        else:
            return render(request, "newsletter/reply_done.html", {"issue": issue, "page": issue})
    return render(request, "newsletter/reply_form.html", {"issue": issue, "form": form, "page": issue},
                  status=400 if form.errors else 200)


@require_GET
def open_pixel(request, trk):
    recipient_open(trk=trk)
    response = HttpResponse(_PIXEL, content_type="image/gif")
    response["Cache-Control"] = "no-store, private"
    return response


@require_GET
def click(request, trk, link_id):
    """Redirect to a link registered when the delivery was built; any other id is a 404 (no open redirect)."""
    url = link_click(trk=trk, link_id=link_id)
    if url is None:
        raise Http404
    return HttpResponseRedirect(url)
