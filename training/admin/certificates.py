"""Admin for certificates: the register (read-only; issued and revoked only through services), the
trainer's verdicts per class, issuing for a class in one action, revoking, and the stored PDF."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic.models import IndexView, InspectView
from wagtail.admin.widgets.button import HeaderButton
from wagtail.permissions import register_permission_policy

from home.admin.filters import TranslatedFiltersMixin
from home.admin.headers import page_header

from ..models import Assessment, Certificate, ClassSession, Signup
from ..services import TrainingError
from ..services.certificates import (
    assessment_record,
    certificate_issue_for_session,
    certificate_revoke,
    checklist_parse,
    checklist_text,
)
from . import ReadOnlyPolicy, RecordViewSet

ISSUE = "training.issue_certificate"
REVOKE = "training.revoke_certificate"
ASSESS = "training.change_assessment"


# Nobody adds, edits or deletes a certificate by hand, superusers included: certificates are issued
# for a class and revoked with a reason, each through its own permission and service.
register_permission_policy(Certificate, ReadOnlyPolicy(Certificate))


class CertificateIndexView(IndexView):
    @property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        user = self.request.user
        if user.has_perm(ISSUE) or user.has_perm(ASSESS):
            buttons.append(HeaderButton(_("Assess a class and issue certificates"),
                                        url=reverse("training_certificates:classes"), icon_name="tick"))
        return buttons


class CertificateInspectView(InspectView):
    @property
    def header_more_buttons(self):
        from wagtail.admin.widgets.button import Button

        buttons = list(super().header_more_buttons)
        if self.object.pdf:
            buttons.append(Button(_("Download the PDF"), url=reverse("training_certificates:pdf", args=[self.object.pk]),
                                  icon_name="download", priority=30))
        if self.object.status == Certificate.Status.VALID and self.request.user.has_perm(REVOKE):
            buttons.append(Button(_("Revoke"), url=reverse("training_certificates:revoke", args=[self.object.pk]),
                                  icon_name="cross", priority=40))
        return buttons


class CertificateViewSet(TranslatedFiltersMixin, RecordViewSet):
    model = Certificate
    icon = "success"
    menu_label = gettext_lazy("Certificates")
    menu_order = 300
    add_to_admin_menu = False
    index_view_class = CertificateIndexView
    inspect_view_class = CertificateInspectView
    list_display = [
        "number", "holder_name", "course_title_zh_hans", "issued_on", "expires_on",
        Column("state", label=gettext_lazy("Status"), accessor="get_state_display"),
    ]
    list_filter = {"status": ["exact"], "product_line": ["exact"], "created_at": ["gte", "lt"]}
    search_fields = ["number", "holder_name"]
    inspect_view_fields = [
        "number", "holder_name", "person", "course_title_zh_hans", "course_title_en", "product_line", "session",
        "class_date", "issued_on", "expires_on", "status", "revoked_at", "revocation_reason", "pdf_rendered_at",
        "reminded_60_at", "reminded_14_at", "issued_by", "created_at",
    ]

    def get_queryset(self, request):
        return Certificate.objects.select_related("product_line")

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("classes/", sessions_view, name="classes"),
            path("classes/<int:session_id>/", session_view, name="class"),
            path("classes/<int:session_id>/issue/", issue_view, name="issue"),
            path("revoke/<int:pk>/", revoke_view, name="revoke"),
            path("pdf/<int:pk>/", pdf_view, name="pdf"),
        ]


certificate_viewset = CertificateViewSet("training_certificates", url_prefix="training/certificates")


def _require(request, *perms):
    if not any(request.user.has_perm(perm) for perm in perms):
        raise PermissionDenied


def _certificates():
    return _("Certificates"), reverse("training_certificates:index")


def sessions_view(request):
    """Classes that have taken place, with how many attended, passed and hold a certificate."""
    _require(request, ISSUE, ASSESS)
    sessions = (
        ClassSession.objects.filter(starts_at__lte=timezone.now())
        .exclude(status=ClassSession.Status.CANCELLED)
        .select_related("course")
        .annotate(
            attended_count=Count("signups", filter=Q(signups__attended=True), distinct=True),
            passed_count=Count("signups", filter=Q(signups__attended=True,
                                                   signups__assessment__result=Assessment.Result.PASSED), distinct=True),
            issued_count=Count("certificates", distinct=True),
        )
        .order_by("-starts_at", "-pk")
    )
    page = Paginator(sessions, 50).get_page(request.GET.get("p"))
    title = _("Classes: assessment and certificates")
    return TemplateResponse(request, "training/certificates/admin/sessions.html", {
        "page_obj": page, **page_header(title, _certificates(), icon="success"),
    })


def _roster(session):
    return list(
        Signup.objects.filter(session=session)
        .filter(Q(status=Signup.Status.CONFIRMED) | Q(attended__isnull=False))
        .select_related("person", "assessment", "certificate")
        .order_by("person__name", "pk")
    )


def session_view(request, session_id):
    """One class: the trainer's verdict and checklist per attendee (editable), and the issue button."""
    _require(request, ISSUE, ASSESS)
    session = get_object_or_404(ClassSession.objects.select_related("course"), pk=session_id)
    roster = _roster(session)
    if request.method == "POST":
        _require(request, ASSESS)
        errors = 0
        for signup in roster:
            result = request.POST.get(f"result-{signup.pk}")
            if result is None:
                continue
            try:
                assessment_record(
                    signup_id=signup.pk, result=result, acting_user=request.user,
                    checklist=checklist_parse(request.POST.get(f"checklist-{signup.pk}", "")),
                    notes=request.POST.get(f"notes-{signup.pk}", "").strip(),
                )
            except TrainingError as exc:
                errors += 1
                messages.error(request, f"{signup.person}: {exc}")
        if not errors:
            messages.success(request, _("The assessments are saved."))
        return redirect("training_certificates:class", session_id=session.pk)
    rows = []
    for signup in roster:
        assessment = getattr(signup, "assessment", None)
        rows.append({
            "signup": signup,
            "result": assessment.result if assessment else Assessment.Result.PENDING,
            "checklist": checklist_text(assessment.checklist) if assessment else "",
            "notes": assessment.notes if assessment else "",
            "certificate": getattr(signup, "certificate", None),
        })
    title = _("Assessment and certificates")
    subtitle = str(session)
    return TemplateResponse(request, "training/certificates/admin/session.html", {
        "session": session, "rows": rows, "results": Assessment.Result.choices,
        "can_assess": request.user.has_perm(ASSESS), "can_issue": request.user.has_perm(ISSUE),
        "ready_count": sum(1 for row in rows if row["signup"].attended and row["result"] == Assessment.Result.PASSED
                           and row["certificate"] is None),
        # The breadcrumbs end at the class; the page's title names what is done with it.
        **page_header(title, _certificates(), (_("Classes"), reverse("training_certificates:classes")),
                      subtitle=subtitle, crumb=subtitle, icon="success"),
    })


@require_POST
def issue_view(request, session_id):
    """Issue certificates to every attendee of the class who was present and passed."""
    _require(request, ISSUE)
    session = get_object_or_404(ClassSession, pk=session_id)
    try:
        issued = certificate_issue_for_session(session_id=session.pk, acting_user=request.user)
    except TrainingError as exc:
        messages.error(request, str(exc))
    else:
        if issued:
            messages.success(request, _("%(count)d certificates issued; each holder receives the PDF by email.")
                             % {"count": len(issued)})
        else:
            messages.warning(request, _("No certificates to issue: every attendee who passed already has one."))
    return redirect("training_certificates:class", session_id=session.pk)


def revoke_view(request, pk):
    """Ask for the reason, then revoke (POST)."""
    _require(request, REVOKE)
    certificate = get_object_or_404(Certificate, pk=pk)
    error = ""
    if request.method == "POST":
        try:
            certificate_revoke(certificate_id=certificate.pk, reason=request.POST.get("reason", ""),
                               acting_user=request.user)
        except TrainingError as exc:
            error = str(exc)
        else:
            messages.success(request, _("Certificate %(number)s is revoked.") % {"number": certificate.number})
            return redirect("training_certificates:inspect", certificate.pk)
    title = _("Revoke certificate")
    return TemplateResponse(request, "training/certificates/admin/revoke.html", {
        "certificate": certificate, "error": error, "reason": request.POST.get("reason", ""),
        **page_header(title, _certificates(),
                      (certificate.number, reverse("training_certificates:inspect", args=[certificate.pk])),
                      subtitle=certificate.number, icon="cross"),
    })


def pdf_view(request, pk):
    """The stored PDF, for staff who may see certificates (media files are not served publicly)."""
    _require(request, "training.view_certificate")
    certificate = get_object_or_404(Certificate, pk=pk)
    if not certificate.pdf or not certificate.pdf.storage.exists(certificate.pdf.name):
        raise Http404
    return FileResponse(certificate.pdf.open("rb"), content_type="application/pdf", as_attachment=True,
                        filename=f"{certificate.number}.pdf")
