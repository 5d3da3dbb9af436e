"""Admin of sign-ups and payments: read-only registers (they change only through services), and
recording a bank transfer."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail.permissions import register_permission_policy

from home.admin.filters import TranslatedFiltersMixin

from ..models import Payment, Signup
from ..services import TrainingError
from ..services import payments as payment_services
from . import ReadOnlyPolicy, RecordViewSet

CHANGE_PAYMENT = "training.change_payment"

# Sign-ups and payments change only through services (sign-up form, attendance sheet, "mark paid").
register_permission_policy(Signup, ReadOnlyPolicy(Signup))
register_permission_policy(Payment, ReadOnlyPolicy(Payment))


class SignupViewSet(TranslatedFiltersMixin, RecordViewSet):
    model = Signup
    icon = "group"
    menu_label = gettext_lazy("Sign-ups")
    list_display = ["person", "session", "status", "attended", "created_at"]
    list_filter = {"status": ["exact", "in"], "session": ["exact"], "attended": ["exact"], "session__course": ["exact"],
                   "session__city": ["exact"],
                   "session__starts_at": ["gte", "lt"]}
    search_fields = ["person__name", "person__email"]
    inspect_view_fields = [
        "person", "session", "booking", "status", "attended", "hold_expires_at", "offer_expires_at", "payment",
        "language", "created_at",
    ]


class PaymentViewSet(RecordViewSet):
    model = Payment
    icon = "tag"
    menu_label = gettext_lazy("Payments")
    list_display = ["provider_reference", "booking", "amount", "status", "paid_at"]
    inspect_template_name = "training/admin/payment_inspect.html"
    list_filter = ["status", "provider"]
    search_fields = ["provider_reference", "booking__reference", "booking__company"]
    inspect_view_fields = ["booking", "provider", "provider_reference", "amount", "status", "instructions", "paid_at",
                           "notifications", "created_at"]


signup_viewset = SignupViewSet("training_signups")
payment_viewset = PaymentViewSet("training_payments")


@require_POST
@permission_required(CHANGE_PAYMENT, raise_exception=True)
def payment_mark_paid_view(request, pk):
    payment = get_object_or_404(Payment, pk=pk)
    try:
        payment_services.payment_mark_paid(payment_id=payment.pk, acting_user=request.user)
    except TrainingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Payment %(reference)s recorded; the seats are confirmed.") % {
            "reference": payment.provider_reference})
    return redirect(reverse("training_payments:inspect", args=[payment.pk]))


urlpatterns = [
    path("payments/<int:pk>/paid/", payment_mark_paid_view, name="payment_paid"),
]
