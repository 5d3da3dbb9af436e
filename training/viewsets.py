"""Admin screens of training: classes, sign-ups and payments (coordinators only)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from .models import ClassSession, Payment, Signup
from .selectors import sessions_with_figures
from .services import signups as signup_services


class ReadOnlyPolicy(ModelPermissionPolicy):
    """Sign-ups and payments change only through services (sign-up form, attendance sheet, "mark
    paid"), so nobody adds, edits or deletes them by hand, superusers included."""

    def user_has_permission(self, user, action):
        if action in {"add", "change", "delete"}:
            return False
        return super().user_has_permission(user, action)


register_permission_policy(Signup, ReadOnlyPolicy(Signup))
register_permission_policy(Payment, ReadOnlyPolicy(Payment))


class SessionIndexView(generic.IndexView):
    def get_base_queryset(self):
        return sessions_with_figures()


class SessionCreateView(generic.CreateView):
    def save_instance(self):
        return signup_services.session_save(instance=self.form.instance, acting_user=self.request.user)


class SessionEditView(generic.EditView):
    def save_instance(self):
        return signup_services.session_save(instance=self.form.instance, acting_user=self.request.user)


class RosterColumn(Column):
    """Links to a class's roster, attendance sheet and CSV export."""

    cell_template_name = "training/admin/roster_links_cell.html"

    def get_value(self, instance):
        return {
            "roster": reverse("training_admin:roster", args=[instance.pk]),
            "csv": reverse("training_admin:roster_csv", args=[instance.pk]),
            "attendance": reverse("training_admin:attendance", args=[instance.pk]),
        }


class ClassSessionViewSet(ModelViewSet):
    model = ClassSession
    icon = "date"
    menu_label = _("Classes")
    index_view_class = SessionIndexView
    add_view_class = SessionCreateView
    edit_view_class = SessionEditView
    inspect_view_enabled = True
    copy_view_enabled = True
    list_display = [
        "__str__", "starts_at", "city", "capacity",
        Column("seats_taken", label=_("Seats taken")),
        Column("waiting", label=_("Waiting list")),
        "status",
        RosterColumn("links", label=_("Roster")),
    ]
    inspect_template_name = "training/admin/session_inspect.html"
    list_filter = ["status", "city"]
    search_fields = ["city", "venue", "trainer"]
    form_fields = [
        "course", "starts_at", "ends_at", "city", "venue", "trainer", "capacity", "price", "signup_deadline",
        "min_attendance",
    ]
    inspect_view_fields = [
        "course", "starts_at", "ends_at", "city", "venue", "trainer", "capacity", "price", "signup_deadline",
        "status", "min_attendance", "cancel_reason",
    ]


class SignupViewSet(ModelViewSet):
    model = Signup
    icon = "group"
    menu_label = _("Sign-ups")
    copy_view_enabled = False
    inspect_view_enabled = True
    list_display = ["person", "session", "status", "attended", "created_at"]
    list_filter = ["status", "session"]
    search_fields = ["person__name", "person__email"]
    form_fields = []
    inspect_view_fields = [
        "person", "session", "booking", "status", "attended", "hold_expires_at", "offer_expires_at", "payment",
        "language", "created_at",
    ]


class PaymentViewSet(ModelViewSet):
    model = Payment
    icon = "tag"
    menu_label = _("Payments")
    copy_view_enabled = False
    inspect_view_enabled = True
    list_display = ["provider_reference", "booking", "amount", "status", "paid_at"]
    inspect_template_name = "training/admin/payment_inspect.html"
    list_filter = ["status", "provider"]
    search_fields = ["provider_reference", "booking__reference", "booking__company"]
    form_fields = []
    inspect_view_fields = ["booking", "provider", "provider_reference", "amount", "status", "instructions", "paid_at",
                           "notifications", "created_at"]


session_viewset = ClassSessionViewSet("training_sessions")
signup_viewset = SignupViewSet("training_signups")
payment_viewset = PaymentViewSet("training_payments")
