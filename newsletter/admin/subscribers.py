"""Admin screens of subscribers (with the CSV export and import) and of bounces and complaints."""

import secrets
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.views.generic import EditView, IndexView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import HeaderButton

from home.admin.filters import TranslatedFiltersMixin
from home.admin.headers import page_header
from home.csv import SafeCsvExportMixin
from home.services.rights import access_log_record

from ..models import Bounce, Subscriber
from ..services import NewsletterError
from ..services.imports import IMPORT_COLUMNS, subscribers_import
from ..services.subscribers import subscriber_set_status, subscriber_update_preferences


class SubscriberIndexView(SafeCsvExportMixin, IndexView):
    def as_spreadsheet(self, queryset, spreadsheet_format):
        response = super().as_spreadsheet(queryset, spreadsheet_format)
        access_log_record(user=self.request.user, person=None,
                          what=f"journal subscriber export ({spreadsheet_format}) downloaded",
                          path=self.request.get_full_path())
        return response

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("person__organisation").prefetch_related("product_lines")

    @property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        if self.permission_policy.user_has_permission(self.request.user, "change"):
            buttons.append(HeaderButton(_("Import from CSV"), url=reverse("journal_subscribers:import"),
                                        icon_name="upload"))
        return buttons


class SubscriberEditView(EditView):
    def save_instance(self):
        subscriber = self.form.save(commit=False)
        subscriber_update_preferences(subscriber=subscriber, language=subscriber.language,
                                      product_lines=list(self.form.cleaned_data["product_lines"]))
        return subscriber_set_status(subscriber_id=subscriber.pk, status=subscriber.status,
                                     acting_user=self.request.user)


class SubscriberViewSet(TranslatedFiltersMixin, ModelViewSet):
    model = Subscriber
    icon = "group"
    menu_label = _("Subscribers")
    menu_order = 100
    inspect_view_enabled = True
    copy_view_enabled = False
    index_view_class = SubscriberIndexView
    edit_view_class = SubscriberEditView
    list_display = ["person", "email", "status", "language", "created_at"]
    list_filter = {"status": ["exact"], "language": ["exact"], "product_lines": ["exact"],
                   "confirmed_at": ["gte", "lt"]}
    search_fields = ["person__email", "person__name", "person__organisation__name"]
    form_fields = ["status", "language", "product_lines"]
    list_export = ["email", "name", "company", "language", "status", "product_line_slugs", "confirmed_at",
                   "created_at"]
    export_filename = "journal-subscribers"
    inspect_view_fields = ["person", "email", "company", "status", "language", "product_line_slugs", "source",
                           "soft_bounces", "created_at", "confirmed_at", "unsubscribed_at"]

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [path("import/", subscriber_import_view, name="import")]


class BounceViewSet(ModelViewSet):
    model = Bounce
    icon = "warning"
    menu_label = _("Bounces and complaints")
    menu_order = 120
    copy_view_enabled = False
    inspect_view_enabled = True
    list_display = ["email", "kind", "status", "diagnostic", "created_at"]
    list_filter = ["kind"]
    search_fields = ["email"]
    form_fields = []


subscriber_viewset = SubscriberViewSet("journal_subscribers")
bounce_viewset = BounceViewSet("journal_bounces")


# CSV import: upload, preview with the report of a dry run, confirm, report ----------------------------

IMPORT_SESSION_KEY = "newsletter_subscriber_import"
PREVIEW_ROWS = 10


class SubscriberImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file"), help_text=_(
        "Columns: email, name, company, language, product_lines (product line slugs separated by “;”)."))
    encoding = forms.ChoiceField(label=_("Encoding"), required=False, choices=[
        ("", _("Detect (UTF-8 with or without BOM, else GB18030/GBK)")),
        ("utf-8-sig", "UTF-8"), ("gb18030", "GB18030 / GBK"), ("big5", "Big5"),
    ])


def _import_folder() -> Path:
    folder = Path(settings.PRIVATE_ROOT) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def subscriber_import_view(request):
    """Upload a CSV; see the first rows and what the import would do (a dry run); confirm; see the report."""
    if not subscriber_viewset.permission_policy.user_has_permission(request.user, "change"):
        raise PermissionDenied
    title = _("Import subscribers")
    context = page_header(title, (_("Subscribers"), reverse("journal_subscribers:index")), icon="upload")
    form = SubscriberImportForm()
    if request.method == "POST" and "confirm" in request.POST:
        pending = request.session.get(IMPORT_SESSION_KEY) or {}
        if not pending or pending.get("token") != request.POST["confirm"]:
            messages.error(request, _("This import is no longer waiting for confirmation. Upload the file again."))
            return redirect("journal_subscribers:import")
        path = _import_folder() / f"{pending['token']}.csv"
        try:
            with path.open("rb") as stream:
                report = subscribers_import(stream=stream, source=pending["name"], encoding=pending["encoding"])
        except (NewsletterError, FileNotFoundError) as exc:
            messages.error(request, str(exc) if isinstance(exc, NewsletterError) else
                           _("This import is no longer waiting for confirmation. Upload the file again."))
            return redirect("journal_subscribers:import")
        finally:
            request.session.pop(IMPORT_SESSION_KEY, None)
            path.unlink(missing_ok=True)
        return TemplateResponse(request, "newsletter/admin/subscriber_import.html",
                                {**context, "report": report, "done": True, "name": pending["name"]})
    if request.method == "POST":
        form = SubscriberImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            token = secrets.token_hex(16)
            path = _import_folder() / f"{token}.csv"
            with path.open("wb") as out:
                for block in upload.chunks():
                    out.write(block)
            try:
                with path.open("rb") as stream:
                    report = subscribers_import(stream=stream, source=upload.name, dry_run=True,
                                                encoding=form.cleaned_data["encoding"], preview_rows=PREVIEW_ROWS)
            except NewsletterError as exc:
                path.unlink(missing_ok=True)
                form.add_error("file", str(exc))
            else:
                previous = request.session.get(IMPORT_SESSION_KEY)
                if previous:
                    (_import_folder() / f"{previous['token']}.csv").unlink(missing_ok=True)
                request.session[IMPORT_SESSION_KEY] = {"token": token, "name": upload.name[:80],
                                                       "encoding": report.encoding}
                return TemplateResponse(request, "newsletter/admin/subscriber_import.html", {
                    **context, "report": report, "token": token, "name": upload.name,
                    "columns": IMPORT_COLUMNS})
    return TemplateResponse(request, "newsletter/admin/subscriber_import.html", {**context, "form": form})
