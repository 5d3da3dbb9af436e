"""Admin screens of calls: the call listing, the call queue and the call screen."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.base import ViewSet

from home.admin.filters import TranslatedFiltersMixin

from .. import selectors
from ..forms import OutcomeForm
from ..models import Call
from ..services import CareError
from ..services.calls import call_log_outcome
from ..services.customers import contact_reveal, customer_contacts, revealed_contacts
from ..services.scripts import call_answers, call_progress, call_record_answer
from .base import PermissionMenuItem, TeamScopedViewSet, VisibleIndexView, VisibleInspectView
from .knowledge import knowledge_context


class MaskedPhoneColumn(Column):
    def get_value(self, instance):
        person = instance.contact if hasattr(instance, "contact") else None
        return person.masked_mobile if person else ""


class CallIndexView(VisibleIndexView):
    """Search calls by anything that finds their customer: phone in any format, names, serial..."""

    def search_queryset(self, queryset):
        if not self.is_searching:
            return queryset
        return queryset.filter(customer__in=selectors.customers_find(self.request.user, self.search_query).values("pk"))


class CallInspectView(VisibleInspectView):
    def get_answers_display_value(self):
        """The script's answers as on the call screen: one number per step, answers in the reader's language."""
        answered = call_answers(self.object)
        if not answered:
            return "-"
        return format_html("<ul class=\"care-answers\">{}</ul>", format_html_join(
            "", "<li data-step=\"{}\">{} · {} — <strong>{}</strong></li>",
            ((item["number"], _("Step %(n)s") % {"n": item["number"]}, item["text"], item["label"])
             for item in answered),
        ))


class CallViewSet(TranslatedFiltersMixin, TeamScopedViewSet):
    model = Call
    visible = staticmethod(selectors.calls_visible_to)
    icon = "mobile-alt"
    menu_label = gettext_lazy("Calls")
    menu_order = 110
    index_view_class = CallIndexView
    inspect_view_class = CallInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    list_display = [
        "customer", "purpose", "due_at", "deadline", "assignee", "team", "state", "disposition", "attempts",
        "days_late", MaskedPhoneColumn("phone", label=gettext_lazy("phone")),
    ]
    list_filter = {"state": ["exact"], "purpose": ["exact"], "team": ["exact"], "disposition": ["exact"],
                   "assignee": ["exact"], "due_at": ["lt"], "deadline": ["gte", "lt"], "closed_at": ["gte", "lt"],
                   "days_late": ["gte"]}
    search_fields = ["customer__organisation__name", "customer__person__name"]
    form_fields = ["assignee", "team", "due_at", "deadline", "notes"]
    inspect_view_fields = ["customer", "purpose", "period_key", "due_at", "deadline", "assignee", "team", "state",
                           "disposition", "attempts", "callback_at", "closed_at", "days_late", "notes", "answers"]


# The call queue: my calls due today and overdue, per team, and the figures ------------------------


@permission_required("care.view_call", raise_exception=True)
def call_queue_view(request):
    user = request.user
    today = timezone.localdate()
    context = {
        "page_title": _("Call queue"),
        "header_title": _("Call queue"),
        "header_icon": "tasks",
        "mine_due": selectors.calls_due_today(user, today=today, mine_only=True),
        "mine_overdue": selectors.calls_overdue(user, today=today, mine_only=True),
        "team_due": selectors.calls_due_today(user, today=today).exclude(assignee=user),
        "team_overdue": selectors.calls_overdue(user, today=today).exclude(assignee=user),
        "per_team": selectors.call_queue_per_team(user, today=today),
        "late_days": selectors.LATE_WINDOW_DAYS,
        "coverage": selectors.six_month_coverage(today=today),
        "csat": selectors.csat(since=timezone.now() - timezone.timedelta(days=90),
                               ratings=selectors.ratings_visible_to(user)),
        "response": selectors.survey_response_rate(since=timezone.now() - timezone.timedelta(days=90)),
        "today": today,
    }
    return render(request, "care/admin/call_queue.html", context)


class CallQueueViewSet(ViewSet):
    icon = "tasks"
    menu_label = gettext_lazy("Call queue")
    menu_order = 100
    name = "care_queue"

    def get_urlpatterns(self):
        return [path("", call_queue_view, name="index")]

    def get_menu_item(self, order=None):
        return PermissionMenuItem(
            self.menu_label, self.menu_url, name="care-queue", icon_name=self.icon,
            order=self.get_menu_item_order(order), permission="care.view_call",
        )


# The call screen -----------------------------------------------------------------------------------


def _step_number(value: str) -> int | None:
    return int(value) if value.isdigit() else None


@permission_required("care.view_call", raise_exception=True)
def call_work_view(request, pk):
    """The call screen: everything about the customer, the script to walk, and the outcome."""
    call = get_object_or_404(selectors.calls_visible_to(request.user).select_related("script", "device"), pk=pk)
    outcome_form = OutcomeForm()
    if request.method == "POST":
        if not request.user.has_perm("care.work_call"):
            raise PermissionDenied
        try:
            if request.POST.get("action") == "answer":
                call_record_answer(call_id=call.pk, step=int(request.POST.get("step", 0)),
                                   answer=request.POST.get("answer", ""), acting_user=request.user)
                return redirect(reverse("care_call_work", args=[call.pk]) + "#script")
            if request.POST.get("action") == "reveal":
                person = get_object_or_404(customer_contacts(call.customer), pk=request.POST.get("person", 0))
                contact_reveal(call=call, person=person, user=request.user, path=request.path)
                return redirect(reverse("care_call_work", args=[call.pk]) + "#customer")
            if request.POST.get("action") == "outcome":
                outcome_form = OutcomeForm(request.POST)
                if outcome_form.is_valid():
                    data = outcome_form.cleaned_data
                    call = call_log_outcome(
                        call_id=call.pk, disposition=data["disposition"], acting_user=request.user,
                        note=data["note"], callback_at=data["callback_at"], rating=data["rating"],
                    )
                    if call.state == Call.State.OPEN:
                        messages.success(request, _("Outcome recorded. Next try: %(when)s.") % {
                            "when": timezone.localtime(call.due_at).strftime("%Y-%m-%d %H:%M")})
                        if timezone.localtime(call.due_at).date() > call.deadline:
                            messages.warning(request, _(
                                "The next try is after the deadline (%(deadline)s): the call will count as late."
                            ) % {"deadline": call.deadline.strftime("%Y-%m-%d")})
                    elif call.days_late:
                        messages.warning(request, _("The call is closed %(days)s days after its deadline.") % {
                            "days": call.days_late})
                    else:
                        messages.success(request, _("The call is closed: %(outcome)s.") % {
                            "outcome": call.get_disposition_display()})
                    return redirect("care_call_work", call.pk)
                messages.error(request, _("A call can't be closed without an outcome."))
        except (CareError, ValueError) as exc:
            messages.error(request, str(exc))
            call.refresh_from_db()

    customer = call.customer
    contacts = list(customer_contacts(customer))
    revealed = revealed_contacts(call=call, user=request.user)
    person_ids = [p.pk for p in contacts]
    context = {
        "page_title": _("Call: %(customer)s") % {"customer": customer},
        "header_title": _("Call: %(customer)s") % {"customer": customer},
        "header_icon": "mobile-alt",
        "call": call,
        "customer": customer,
        "contacts": contacts,
        "revealed": revealed,
        "devices": selectors.customer_devices(customer),
        "recent_calls": [c for c in selectors.customer_recent_calls(customer) if c.pk != call.pk],
        "complaints": selectors.customer_recent_complaints(customer),
        "certificates": selectors.customer_valid_certificates(customer, person_ids),
        "signups": selectors.people_training_signups(person_ids),
        "replies": selectors.people_journal_replies(person_ids),
        "progress": call_progress(call, back_to=_step_number(request.GET.get("step", ""))),
        "outcome_form": outcome_form,
        "can_work": request.user.has_perm("care.work_call") and call.state == Call.State.OPEN,
        "attempt_log": call.attempt_log.select_related("user")[:20],
        "timeline": selectors.customer_timeline(customer, person_ids, kind=request.GET.get("kind", "")),
        "timeline_kinds": selectors.TIMELINE_KINDS.items(),
        "timeline_kind": request.GET.get("kind", ""),
        **knowledge_context(request, contacts=contacts),
        "can_send": request.user.has_perm("care.work_call"),
        "article_send_url": reverse("care_customers:article_send", args=[customer.pk]),
    }
    return render(request, "care/admin/call_screen.html", context)
