from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail import hooks
from wagtail.snippets.models import register_snippet

from . import services
from .dashboard import PeriodPanel, period_get
from .models import OutboxMessage
from .registry import dashboard_panels
from .viewsets import outbox_viewset, product_line_viewset


@hooks.register("register_admin_viewset")
def register_outbox():
    return outbox_viewset


register_snippet(product_line_viewset)


@hooks.register("register_log_actions")
def register_log_actions(actions):
    actions.register_action("home.outbox_retry", gettext_lazy("Send email again"), gettext_lazy("Email queued again"))


@require_POST
@permission_required("home.change_outboxmessage", raise_exception=True)
def outbox_retry_view(request, pk):
    message = get_object_or_404(OutboxMessage, pk=pk)
    try:
        services.outbox_retry(message_id=message.pk, acting_user=request.user)
    except services.HomeError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The email to %(to)s is queued again.") % {"to": message.to_email})
    return redirect(reverse("outbox:inspect", args=[message.pk]))


def dashboard_csv_view(request, key):
    panel_class = dashboard_panels.get(key)
    if panel_class is None or not panel_class.visible_to(request.user):
        raise PermissionDenied
    return panel_class(request, period_get(request.GET.get("period", ""))).csv_response()


# Feature apps declare their panels in <app>/dashboard.py.
autodiscover_modules("dashboard")


@hooks.register("construct_homepage_panels")
def add_dashboard_panels(request, panels):
    visible = [cls for cls in dashboard_panels.items() if cls.visible_to(request.user)]
    if not visible:
        return
    period = period_get(request.GET.get("period", ""))
    panels[:0] = [PeriodPanel(period), *[cls(request, period) for cls in sorted(visible, key=lambda c: c.order)]]


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [
        path("outbox/<int:pk>/retry/", outbox_retry_view, name="outbox_retry"),
        path("dashboard/<slug:key>.csv", dashboard_csv_view, name="dashboard_csv"),
    ]


# Personal data rights and the second factor (issue 10) ---------------------------------------------


@hooks.register("register_admin_viewset")
def register_personal_data():
    from .rights_admin import PersonalDataGroup

    return PersonalDataGroup()


@hooks.register("register_admin_urls")
def register_personal_data_urls():
    from . import two_factor_views
    from .rights_admin import admin_urls

    return [
        *admin_urls(),
        path("two-factor/setup/", two_factor_views.two_factor_setup, name="two_factor_setup"),
        path("two-factor/verify/", two_factor_views.two_factor_verify, name="two_factor_verify"),
        path("two-factor/qr.svg", two_factor_views.two_factor_qr, name="two_factor_qr"),
    ]


@hooks.register("register_log_actions")
def register_personal_data_log_actions(actions):
    for code, label, message in [
        ("home.rights_create", gettext_lazy("Record personal data request"), gettext_lazy("Personal data request recorded")),
        ("home.rights_export", gettext_lazy("Export personal data"), gettext_lazy("Personal data exported")),
        ("home.rights_erase", gettext_lazy("Erase personal data"), gettext_lazy("Personal data erased")),
        ("home.rights_refuse", gettext_lazy("Refuse personal data request"), gettext_lazy("Request refused")),
        ("home.rights_complete", gettext_lazy("Complete personal data request"), gettext_lazy("Request completed")),
        ("home.two_factor_setup", gettext_lazy("Set up two-factor authentication"), gettext_lazy("Two-factor authentication set up")),
    ]:
        actions.register_action(code, label, message)


@hooks.register("register_account_menu_item")
def register_two_factor_account_item(request):
    return {
        "url": reverse("two_factor_setup"),
        "label": gettext_lazy("Two-factor authentication"),
        "help_text": gettext_lazy("Protect your account with a code from an authenticator app."),
    }
