"""Registration only: the shared base's admin screens, URLs, log actions and dashboard panels.

The screens themselves live in ``home/admin/``.
"""

from django.db import models
from django.urls import path, reverse
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.ui.fields import register_display_class
from wagtail.snippets.models import register_snippet

from home.admin import people, two_factor
from home.admin.dashboard import dashboard_csv_view
from home.admin.fields import LocalDateTimeDisplay
from home.admin.outbox import outbox_retry_view, outbox_viewset
from home.admin.product_lines import product_line_viewset
from home.admin.rights import PersonalDataGroup, admin_urls
from home.dashboard import PeriodPanel, period_get
from home.registry import dashboard_panels


@hooks.register("register_admin_viewset")
def register_outbox():
    return outbox_viewset


register_snippet(product_line_viewset)
# Inspect pages show every moment in the site's time zone (Wagtail's default prints it in UTC).
register_display_class(models.DateTimeField, display_class=LocalDateTimeDisplay)


@hooks.register("register_log_actions")
def register_log_actions(actions):
    actions.register_action("home.outbox_retry", gettext_lazy("Send email again"), gettext_lazy("Email queued again"))


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
    return PersonalDataGroup()


@hooks.register("register_admin_urls")
def register_personal_data_urls():
    return [
        *admin_urls(),
        path("two-factor/setup/", two_factor.two_factor_setup, name="two_factor_setup"),
        path("two-factor/verify/", two_factor.two_factor_verify, name="two_factor_verify"),
        path("two-factor/qr.svg", two_factor.two_factor_qr, name="two_factor_qr"),
        path("two-factor/backup-codes/", two_factor.two_factor_backup_codes, name="two_factor_backup_codes"),
        path("two-factor/staff/", two_factor.staff_two_factor_view, name="two_factor_staff"),
        path("two-factor/staff/<int:pk>/reset/", two_factor.two_factor_reset_view, name="two_factor_reset"),
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
        ("home.two_factor_backup_codes", gettext_lazy("Make new backup codes"), gettext_lazy("New backup codes made")),
        ("home.two_factor_backup_used", gettext_lazy("Sign in with a backup code"), gettext_lazy("Backup code used")),
        ("home.two_factor_reset", gettext_lazy("Reset second factor"), gettext_lazy("Second factor reset")),
    ]:
        actions.register_action(code, label, message)


# Possible duplicate people (issue 18) ---------------------------------------------------------------


@hooks.register("register_admin_urls")
def register_people_urls():
    return people.admin_urls()


@hooks.register("register_admin_menu_item")
def register_people_menu_item():
    return people.menu_item()


@hooks.register("register_admin_menu_item")
def register_staff_two_factor_menu_item():
    return two_factor.menu_item()


@hooks.register("register_log_actions")
def register_people_log_actions(actions):
    actions.register_action("home.person_merge", gettext_lazy("Merge possible duplicate"), gettext_lazy("Possible duplicate merged"))
    actions.register_action("home.person_keep_apart", gettext_lazy("Keep possible duplicate apart"),
                            gettext_lazy("Possible duplicate kept apart"))


@hooks.register("register_account_menu_item")
def register_two_factor_account_item(request):
    return {
        "url": reverse("two_factor_setup"),
        "label": gettext_lazy("Two-factor authentication"),
        "help_text": gettext_lazy("Protect your account with a code from an authenticator app."),
    }
