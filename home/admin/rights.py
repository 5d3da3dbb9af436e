"""Care managers' admin for personal data: find a person across apps, export, erase, refuse, and review
the access log. Registered in ``home/wagtail_hooks.py`` as one menu group, "Personal data"."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic import InspectView
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from home.exceptions import HomeError
from home.identity import normalise_email, normalise_mobile
from home.models import AccessLog, Person, RightsRequest
from home.privacy.export import person_lookup
from home.services import rights
from home.services.rights import access_log_record

HANDLE = "home.change_rightsrequest"


def _require(request, perm):
    if not request.user.has_perm(perm):
        raise PermissionDenied


class ReadOnlyPolicy(ModelPermissionPolicy):
    """Only viewing through the generic views; changes go through the rights services."""

    def user_has_permission(self, user, action):
        return action == "view" and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


# Finding a person ------------------------------------------------------------------------------


class PersonSearchForm(forms.Form):
    email = forms.CharField(label=gettext_lazy("Email"), required=False, max_length=254)
    mobile = forms.CharField(label=gettext_lazy("Mobile"), required=False, max_length=30)

    def clean(self):
        data = super().clean()
        try:
            data["email"] = normalise_email(data.get("email", ""))
        except ValidationError:
            self.add_error("email", _("Enter a valid email address."))
        try:
            data["mobile"] = normalise_mobile(data.get("mobile", ""))
        except ValidationError as exc:
            self.add_error("mobile", exc)
        if not self.errors and not data.get("email") and not data.get("mobile"):
            raise ValidationError(_("Give an email address or a mobile number."))
        return data


def _rows(finding, limit=50):
    reg = finding.registration
    rows = []
    for obj in finding.queryset.order_by("-pk")[:limit]:
        values = [(str(obj._meta.get_field(name).verbose_name), getattr(obj, name)) for name in reg.fields]
        rows.append({"object": obj, "values": values})
    return rows


def person_search_view(request):
    _require(request, HANDLE)
    form = PersonSearchForm(request.GET if request.GET else None)
    context = {"form": form, "searched": False}
    if form.is_bound and form.is_valid():
        email, mobile = form.cleaned_data["email"], form.cleaned_data["mobile"]
        findings = person_lookup(email=email, mobile=mobile)
        for person in Person.objects.filter(pk__in=findings.people):
            access_log_record(user=request.user, person=person, what="personal data search (rights)",
                              path=request.path)
        context.update(
            searched=True, email=email, mobile=mobile, findings=findings,
            sections=[{"title": f.registration.title, "label": f.registration.label, "count": len(f.pks),
                       "note": f.registration.note, "erase": f.registration.erase if isinstance(
                           f.registration.erase, str) else "custom", "rows": _rows(f)}
                      for f in findings.findings if f.registration.model is not RightsRequest],
            people=Person.objects.filter(pk__in=findings.people),
            requests=RightsRequest.objects.filter(
                **({"email": email} if email else {"mobile": mobile})).order_by("-created_at")[:20],
            kinds=RightsRequest.Kind.choices,
        )
    return render(request, "home/rights/search.html", context)


@require_POST
def person_action_view(request):
    """One action on what was found: export an archive, erase, or record a refusal."""
    _require(request, HANDLE)
    action = request.POST.get("action")
    email, mobile = request.POST.get("email", ""), request.POST.get("mobile", "")
    kind = {"export": RightsRequest.Kind.ACCESS, "erase": RightsRequest.Kind.ERASURE}.get(
        action, request.POST.get("kind") or RightsRequest.Kind.ACCESS)
    if action not in {"export", "erase", "refuse"} or kind not in RightsRequest.Kind.values:
        raise Http404
    if action == "erase" and not request.POST.get("confirm"):
        messages.error(request, _("Tick the box to confirm the erasure."))
        return redirect(f"{reverse('rights_search')}?email={email}&mobile={mobile}")
    if action == "refuse" and not request.POST.get("reason", "").strip():
        messages.error(request, _("A refusal needs a reason."))
        return redirect(f"{reverse('rights_search')}?email={email}&mobile={mobile}")
    try:
        rights_request = rights.rights_request_create(kind=kind, email=email, mobile=mobile,
                                                      details=request.POST.get("details", ""), acting_user=request.user)
        _act(request, rights_request, action)
    except (HomeError, ValidationError) as exc:
        messages.error(request, " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc))
        return redirect(f"{reverse('rights_search')}?email={email}&mobile={mobile}")
    return redirect(reverse("rights_requests:inspect", args=[rights_request.pk]))


def _act(request, rights_request, action):
    if action == "export":
        rights.rights_request_export(request_id=rights_request.pk, acting_user=request.user)
        messages.success(request, _("The archive is ready to download."))
    elif action == "erase":
        rights.rights_request_erase(request_id=rights_request.pk, acting_user=request.user)
        messages.success(request, _("The personal data was erased or anonymised."))
    elif action == "refuse":
        rights.rights_request_refuse(request_id=rights_request.pk, acting_user=request.user,
                                     reason=request.POST.get("reason", ""))
        messages.success(request, _("The refusal and its reason are recorded."))
    elif action == "complete":
        rights.rights_request_complete(request_id=rights_request.pk, acting_user=request.user,
                                       outcome=request.POST.get("outcome", ""))
        messages.success(request, _("The request is recorded as done."))
    else:
        raise Http404


def _erase_summary(email, mobile):
    """What an erasure would remove or blank, per kind of record, for the confirmation step."""
    findings = person_lookup(email=email, mobile=mobile)
    return [{"title": f.registration.title, "count": len(f.pks), "note": f.registration.note,
             "erase": f.registration.erase if isinstance(f.registration.erase, str) else "custom"}
            for f in findings.findings if f.registration.model is not RightsRequest]


@require_POST
def rights_request_action_view(request, pk):
    _require(request, HANDLE)
    rights_request = get_object_or_404(RightsRequest, pk=pk)
    if request.POST.get("action") == "erase" and not request.POST.get("confirmed"):
        # A second step naming what will go: erasure cannot be undone.
        return render(request, "home/rights/erase_confirm.html", {
            "rights_request": rights_request,
            "sections": _erase_summary(rights_request.email, rights_request.mobile),
        })
    try:
        _act(request, rights_request, request.POST.get("action"))
    except HomeError as exc:
        messages.error(request, str(exc))
    return redirect(reverse("rights_requests:inspect", args=[rights_request.pk]))


def rights_archive_view(request, pk):
    _require(request, HANDLE)
    rights_request = get_object_or_404(RightsRequest, pk=pk)
    if not rights_request.archive:
        raise Http404
    for person in Person.objects.filter(pk__in=person_lookup(
            email=rights_request.email, mobile=rights_request.mobile).people):
        access_log_record(user=request.user, person=person, what="personal data archive downloaded", path=request.path)
    response = FileResponse(rights_request.archive.open("rb"), as_attachment=True,
                            filename=f"personal-data-request-{rights_request.pk}.zip", content_type="application/zip")
    response["Cache-Control"] = "no-store"
    return response


class PersonSearchViewSet(ViewSet):
    name = "rights_search_menu"
    icon = "search"
    menu_label = gettext_lazy("Find a person's data")

    @property
    def menu_url(self):
        return reverse("rights_search")

    @property
    def menu_item_class(self):
        class PermittedMenuItem(MenuItem):
            def is_shown(self, request):
                return request.user.has_perm(HANDLE)

        return PermittedMenuItem

    def get_urlpatterns(self):
        return []


def admin_urls():
    return [
        path("privacy/search/", person_search_view, name="rights_search"),
        path("privacy/search/act/", person_action_view, name="rights_person_action"),
        path("privacy/requests/<int:pk>/act/", rights_request_action_view, name="rights_request_action"),
        path("privacy/requests/<int:pk>/archive/", rights_archive_view, name="rights_archive"),
    ]


# Requests and the access log ------------------------------------------------------------------


class RightsRequestInspectView(InspectView):
    template_name = "home/rights/request_inspect.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_handle"] = self.request.user.has_perm(HANDLE)
        return context


class RightsRequestViewSet(ModelViewSet):
    model = RightsRequest
    icon = "user"
    menu_label = gettext_lazy("Requests")
    inspect_view_enabled = True
    inspect_view_class = RightsRequestInspectView
    copy_view_enabled = False
    list_display = ["__str__", "channel", "state", "created_at", "handled_at", "handled_by"]
    list_filter = ["kind", "state", "channel"]
    search_fields = ["email", "mobile"]
    search_backend_name = None
    inspect_view_fields = ["kind", "channel", "state", "email", "mobile", "details", "language", "created_at",
                           "confirmed_at", "handled_at", "handled_by", "outcome", "refusal_reason"]
    form_fields = []


class AccessLogViewSet(ModelViewSet):
    """Review of staff reads of personal data: filter by staff member, search by person."""

    model = AccessLog
    icon = "view"
    menu_label = gettext_lazy("Access log")
    inspect_view_enabled = False
    copy_view_enabled = False
    list_display = ["created_at", "user", "person", "what", "path"]
    list_filter = ["user"]
    search_fields = ["person__email", "person__mobile", "person__name", "user__username", "what"]
    search_backend_name = None
    form_fields = []


register_permission_policy(RightsRequest, ReadOnlyPolicy(RightsRequest), exact_class=True)
register_permission_policy(AccessLog, ReadOnlyPolicy(AccessLog), exact_class=True)


class PersonalDataGroup(ViewSetGroup):
    menu_label = gettext_lazy("Personal data")
    menu_icon = "lock"
    menu_order = 8500
    items = (PersonSearchViewSet, RightsRequestViewSet("rights_requests"), AccessLogViewSet("access_log"))
