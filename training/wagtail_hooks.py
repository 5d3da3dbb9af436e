from django.utils.translation import gettext_lazy
from wagtail import hooks

from .certificate_admin import certificate_viewset


# Certificates (issue 6): the viewset sits in the Training menu group below ----------------------
@hooks.register("register_log_actions")
def register_certificate_log_actions(actions):
    actions.register_action("training.certificate_issue", gettext_lazy("Issue certificate"),
                            gettext_lazy("Certificate issued"))
    actions.register_action("training.certificate_revoke", gettext_lazy("Revoke certificate"),
                            gettext_lazy("Certificate revoked"))
    actions.register_action("training.assessment_record", gettext_lazy("Record assessment"),
                            gettext_lazy("Assessment recorded"))


# Catalogue and sign-ups (issue 5) ----------------------------------------------------------------
@hooks.register("register_admin_viewset")
def register_signup_viewsets():
    from wagtail.admin.viewsets.base import ViewSetGroup

    from .viewsets import payment_viewset, session_viewset, signup_viewset

    class TrainingGroup(ViewSetGroup):
        menu_label = gettext_lazy("Training")
        menu_icon = "date"
        menu_order = 300
        items = (session_viewset, signup_viewset, payment_viewset, certificate_viewset)

    return TrainingGroup()


@hooks.register("register_admin_urls")
def register_signup_admin_urls():
    from django.urls import include, path

    from . import signup_admin

    return [path("training/", include((signup_admin.urlpatterns, "training_admin"), namespace="training_admin"))]


@hooks.register("register_admin_menu_item")
def register_figures_menu_item():
    from django.urls import reverse
    from wagtail.admin.menu import MenuItem

    class FiguresMenuItem(MenuItem):
        def is_shown(self, request):
            return request.user.has_perm("training.view_classsession")

    return FiguresMenuItem(gettext_lazy("Training figures"), reverse("training_admin:figures"), icon_name="table",
                           order=310)


@hooks.register("register_log_actions")
def register_signup_log_actions(actions):
    actions.register_action("training.session_cancel", gettext_lazy("Cancel class"), gettext_lazy("Class cancelled"))
    actions.register_action("training.session_complete", gettext_lazy("Complete class"),
                            gettext_lazy("Class completed"))
    actions.register_action("training.signup_cancel", gettext_lazy("Cancel sign-up"),
                            gettext_lazy("Sign-up cancelled by a coordinator"))
    actions.register_action("training.attendance", gettext_lazy("Mark attendance"), gettext_lazy("Attendance marked"))
    actions.register_action("training.payment_paid", gettext_lazy("Record payment"), gettext_lazy("Payment recorded"))
