"""Registration only: the training admin (``training.admin``) in one menu group, its admin URLs, the
figures menu item and the log actions."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.base import ViewSetGroup

from .admin import sessions, signups
from .admin.certificates import certificate_viewset


class TrainingGroup(ViewSetGroup):
    menu_label = gettext_lazy("Training")
    menu_icon = "date"
    menu_order = 300
    items = (sessions.session_viewset, signups.signup_viewset, signups.payment_viewset, certificate_viewset)


class FiguresMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("training.view_classsession")


@hooks.register("register_admin_viewset")
def register_viewsets():
    return TrainingGroup()


@hooks.register("register_admin_urls")
def register_admin_urls():
    urlpatterns = sessions.urlpatterns + signups.urlpatterns
    return [path("training/", include((urlpatterns, "training_admin"), namespace="training_admin"))]


@hooks.register("register_admin_menu_item")
def register_figures_menu_item():
    return FiguresMenuItem(gettext_lazy("Training figures"), reverse("training_admin:figures"), icon_name="table",
                           order=310)


@hooks.register("register_log_actions")
def register_log_actions(actions):
    # Certificates (issue 6)
    actions.register_action("training.certificate_issue", gettext_lazy("Issue certificate"),
                            gettext_lazy("Certificate issued"))
    actions.register_action("training.certificate_revoke", gettext_lazy("Revoke certificate"),
                            gettext_lazy("Certificate revoked"))
    actions.register_action("training.assessment_record", gettext_lazy("Record assessment"),
                            gettext_lazy("Assessment recorded"))
    # Catalogue and sign-ups (issue 5)
    actions.register_action("training.session_cancel", gettext_lazy("Cancel class"), gettext_lazy("Class cancelled"))
    actions.register_action("training.session_complete", gettext_lazy("Complete class"),
                            gettext_lazy("Class completed"))
    actions.register_action("training.signup_cancel", gettext_lazy("Cancel sign-up"),
                            gettext_lazy("Sign-up cancelled by a coordinator"))
    actions.register_action("training.attendance", gettext_lazy("Mark attendance"), gettext_lazy("Attendance marked"))
    actions.register_action("training.session_email", gettext_lazy("Email the attendees"),
                            gettext_lazy("Attendees emailed"))
    actions.register_action("training.payment_paid", gettext_lazy("Record payment"), gettext_lazy("Payment recorded"))
