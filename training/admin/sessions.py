"""Admin of classes: the class register (ViewSet), and the coordinators' views of a class: roster
(print and CSV), attendance on the day, cancelling a class, and fill-rate figures per course. Each
action calls one service."""


from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet

from home.admin.headers import page_header
from home.csv import csv_download
from home.services.rights import access_log_record

from ..emails import course_in_language
from ..models import ClassSession, Signup
from ..selectors import (
    ROSTER_COLUMNS,
    course_figures,
    course_titles,
    roster_rows,
    session_roster,
    sessions_with_figures,
)
from ..services import TrainingError
from ..services import sessions as session_services
from ..services import signups as signup_services

VIEW_SIGNUPS = "training.view_signup"
MARK_ATTENDANCE = "training.mark_attendance"
CHANGE_SESSION = "training.change_classsession"


class SessionIndexView(generic.IndexView):
    """Classes by date, each with its course title in the coordinator's language, its fill and waiting list."""

    default_ordering = "starts_at"

    def get_base_queryset(self):
        return sessions_with_figures()

    def get_table(self, object_list):
        sessions = list(object_list)
        titles = course_titles(course_ids=[s.course_id for s in sessions], language=get_language())
        for session in sessions:
            session.course_title = titles.get(session.course_id, "")
        return super().get_table(sessions)


class SessionSaveMixin:
    """Adding and editing a class both go through ``session_save``."""

    def save_instance(self):
        return session_services.session_save(instance=self.form.instance, acting_user=self.request.user)


class SessionCreateView(SessionSaveMixin, generic.CreateView):
    pass


class SessionEditView(SessionSaveMixin, generic.EditView):
    pass


class RosterColumn(Column):
    """Links to a class's roster, attendance sheet and CSV export."""

    cell_template_name = "training/admin/roster_links_cell.html"

    def get_value(self, instance):
        return {
            "roster": reverse("training_admin:roster", args=[instance.pk]),
            "csv": reverse("training_admin:roster_csv", args=[instance.pk]),
            "attendance": reverse("training_admin:attendance", args=[instance.pk]),
            "email": reverse("training_admin:session_email", args=[instance.pk]),
        }


class ClassSessionViewSet(ModelViewSet):
    model = ClassSession
    icon = "date"
    menu_label = gettext_lazy("Classes")
    index_view_class = SessionIndexView
    add_view_class = SessionCreateView
    edit_view_class = SessionEditView
    inspect_view_enabled = True
    copy_view_enabled = True
    list_display = [
        TitleColumn("course_title", label=gettext_lazy("Course"), url_name="training_sessions:edit"),
        Column("starts_at", label=gettext_lazy("Starts"), sort_key="starts_at"),
        Column("city_name", label=gettext_lazy("City")), "capacity",
        Column("seats_taken", label=gettext_lazy("Seats taken")),
        Column("waiting", label=gettext_lazy("Waiting list")),
        "status",
        RosterColumn("links", label=gettext_lazy("Roster")),
    ]
    inspect_template_name = "training/admin/session_inspect.html"
    list_filter = ["status"]  # cities: search finds both the Chinese and the English name
    search_fields = ["city", "city_en", "venue", "trainer"]
    form_fields = [
        "course", "starts_at", "ends_at", "city", "city_en", "venue", "trainer", "capacity", "price", "signup_deadline",
        "min_attendance",
    ]
    inspect_view_fields = [
        "course", "starts_at", "ends_at", "city", "city_en", "venue", "trainer", "capacity", "price", "signup_deadline",
        "status", "min_attendance", "cancel_reason",
    ]


session_viewset = ClassSessionViewSet("training_sessions")


@permission_required(VIEW_SIGNUPS, raise_exception=True)
def roster_view(request, pk):
    session = get_object_or_404(ClassSession.objects.select_related("course"), pk=pk)
    access_log_record(user=request.user, person=None, what=f"training roster of class {session.pk}", path=request.path)
    return TemplateResponse(request, "training/admin/roster_print.html", {
        "session": session, "starts_at": timezone.localtime(session.starts_at), "signups": session_roster(session_id=pk),
        "printed_at": timezone.localtime(),
    })


@permission_required(VIEW_SIGNUPS, raise_exception=True)
def roster_csv_view(request, pk):
    session = get_object_or_404(ClassSession, pk=pk)
    access_log_record(user=request.user, person=None, what=f"training roster CSV of class {session.pk}", path=request.path)
    rows = ([row[column] for column in ROSTER_COLUMNS] for row in roster_rows(session_id=pk))
    return csv_download(f"roster-{session.pk}.csv", [ROSTER_COLUMNS, *rows])


@permission_required(MARK_ATTENDANCE, raise_exception=True)
def attendance_view(request, pk):
    session = get_object_or_404(ClassSession.objects.select_related("course"), pk=pk)
    confirmed = [s for s in session_roster(session_id=pk) if s.status == Signup.Status.CONFIRMED]
    if request.method == "POST" and "all_present" in request.POST:
        count = signup_services.session_mark_all_present(session_id=pk, acting_user=request.user)
        messages.success(request, _("%(count)s attendees marked present.") % {"count": count})
        return redirect("training_admin:attendance", pk=pk)
    if request.method == "POST":
        values = {"yes": True, "no": False, "": None}
        changed = 0
        for signup in confirmed:
            value = request.POST.get(f"attended-{signup.pk}", "")
            if value in values and signup.attended is not values[value]:
                try:
                    signup_services.signup_mark_attendance(signup_id=signup.pk, attended=values[value],
                                                           acting_user=request.user)
                    changed += 1
                except TrainingError as exc:
                    messages.error(request, str(exc))
        messages.success(request, _("Attendance saved (%(count)s changed).") % {"count": changed})
        return redirect("training_admin:attendance", pk=pk)
    course = course_in_language(session.course, get_language())
    return TemplateResponse(request, "training/admin/attendance.html", {
        "session": session, "starts_at": timezone.localtime(session.starts_at), "signups": confirmed, "course": course,
        **page_header(_("Attendance"), *_session_trail(session, course), icon="tasks"),
    })


@require_POST
@permission_required(CHANGE_SESSION, raise_exception=True)
def session_cancel_view(request, pk):
    session = get_object_or_404(ClassSession, pk=pk)
    try:
        session_services.session_cancel(session_id=session.pk, acting_user=request.user,
                                       reason=request.POST.get("reason", "")[:300])
    except TrainingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The class is cancelled; everyone signed up is being told."))
    return redirect(reverse("training_sessions:inspect", args=[session.pk]))


def _session_trail(session, course):
    """Classes, then the class (its course, in the reader's language, and date), above a page about one class."""
    when = timezone.localtime(session.starts_at).strftime("%Y-%m-%d")
    return ((_("Classes"), reverse("training_sessions:index")),
            (f"{course.title} · {when}", reverse("training_sessions:inspect", args=[session.pk])))


@permission_required(CHANGE_SESSION, raise_exception=True)
def session_email_view(request, pk):
    """Write one email to everyone holding a seat in the class."""
    session = get_object_or_404(ClassSession.objects.select_related("course"), pk=pk)
    subject, message, error = request.POST.get("subject", ""), request.POST.get("message", ""), ""
    if request.method == "POST":
        try:
            count = session_services.session_email_attendees(session_id=pk, subject=subject, message=message,
                                                            acting_user=request.user)
        except TrainingError as exc:
            error = str(exc)
        else:
            messages.success(request, _("Your email is being sent to %(count)s attendees.") % {"count": count})
            return redirect("training_admin:attendance", pk=pk)
    course = course_in_language(session.course, get_language())
    return TemplateResponse(request, "training/admin/session_email.html", {
        "session": session, "course": course,
        "starts_at": timezone.localtime(session.starts_at), "subject": subject, "message": message, "error": error,
        "recipients": Signup.objects.filter(session=session, status__in=Signup.SEAT_STATUSES).count(),
        **page_header(_("Email the attendees"), *_session_trail(session, course),
                      (_("Attendance"), reverse("training_admin:attendance", args=[pk])), icon="mail"),
    })


@permission_required("training.view_classsession", raise_exception=True)
def figures_view(request):
    return TemplateResponse(request, "training/admin/figures.html", {
        "rows": course_figures(), **page_header(_("Fill rate and waiting lists"), icon="table"),
    })


urlpatterns = [
    path("sessions/<int:pk>/roster/", roster_view, name="roster"),
    path("sessions/<int:pk>/roster.csv", roster_csv_view, name="roster_csv"),
    path("sessions/<int:pk>/attendance/", attendance_view, name="attendance"),
    path("sessions/<int:pk>/cancel/", session_cancel_view, name="session_cancel"),
    path("sessions/<int:pk>/email/", session_email_view, name="session_email"),
    path("figures/", figures_view, name="figures"),
]
