"""Admin screens of gift campaigns (preview, launch, shipping list, courier import, letters) and letter templates."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.generic import FormView, TemplateView
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.snippets.views.snippets import SnippetViewSet

from home.services.rights import access_log_record

from .. import forms
from ..models import GiftCampaign, GiftRecipient, LetterTemplate
from ..pdf import letter_pdf
from ..services import CareError
from ..services import campaigns as campaign_services
from ..services.letters import gift_letter_email
from .base import RestrictedSnippetChooserViewSet

# Gift campaigns ----------------------------------------------------------------------------------


class GiftCampaignInspectView(generic.InspectView):
    template_name = "care/campaigns/admin_inspect.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        campaign = self.object
        recipients = list(campaign.recipients.select_related("person").order_by("state", "pk"))
        known = {r.person_id for r in recipients}
        selection = campaign_services.campaign_selection(campaign)
        context.update({
            "campaign": campaign,
            "recipients": recipients,
            "selection": selection,
            "new_in_selection": [row for row in selection if row["person"].pk not in known],
            "can_change": self.request.user.has_perm("care.change_giftcampaign"),
            "can_change_recipient": self.request.user.has_perm("care.change_giftrecipient"),
            "address_states": campaign_services.STAFF_ADDRESS_STATES,
            "import_form": forms.CourierImportForm(),
            "states": GiftRecipient.State.choices,
            "reference": campaign_services.recipient_reference,
        })
        return context


def _require(request, perm):
    if not request.user.has_perm(perm):
        raise PermissionDenied


class CampaignPreviewView(WagtailAdminTemplateMixin, TemplateView):
    """Every letter a launch would send, one at a time, as the customer will get it; who is left out and why;
    the launch button (it carries the preview's digest: the launch refuses if the letters changed since)."""

    template_name = "care/campaigns/admin_preview.html"
    header_icon = "pick"
    page_title = gettext_lazy("Preview the letters")

    def dispatch(self, request, *args, **kwargs):
        _require(request, "care.view_giftcampaign")
        self.campaign = get_object_or_404(GiftCampaign.objects.select_related("letter_template"), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return self.campaign.name

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("care_campaigns:index"), "label": GiftCampaign._meta.verbose_name_plural},
            {"url": reverse("care_campaigns:inspect", args=[self.campaign.pk]), "label": self.campaign.name},
            {"url": "", "label": self.page_title},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["campaign"] = self.campaign
        try:
            preview = campaign_services.campaign_preview(self.campaign)
        except CareError as exc:
            context["error"] = str(exc)
            return context
        letters = preview["letters"]
        try:
            number = int(self.request.GET.get("letter", "1"))
        except ValueError:
            number = 1
        number = min(max(number, 1), max(len(letters), 1))
        context.update({
            "preview": preview,
            "number": number,
            "left_out": len(preview["waiting"]) + len(preview["excluded"]),
            "can_launch": self.request.user.has_perm("care.change_giftcampaign")
            and bool(letters or preview["excluded"]),
        })
        if letters:
            current = letters[number - 1]
            subject, html, _text = gift_letter_email(current)
            context.update({"current": current, "email_subject": subject, "email_html": html})
        return context


@require_POST
def campaign_launch_view(request, pk):
    _require(request, "care.change_giftcampaign")
    previewed = request.POST.get("previewed", "")
    if not previewed:
        messages.error(request, _("Preview the letters before launching."))
        return redirect("care_campaigns:preview", pk)
    try:
        counts = campaign_services.gift_campaign_launch(campaign_id=pk, acting_user=request.user, previewed=previewed)
    except CareError as exc:
        messages.error(request, str(exc))
        return redirect("care_campaigns:preview", pk)
    messages.success(request, _("Launched: %(created)s new recipients, %(excluded)s excluded, %(existing)s "
                                "already there.") % counts)
    return redirect("care_campaigns:inspect", pk)


def campaign_export_view(request, pk):
    _require(request, "care.view_giftcampaign")
    campaign = get_object_or_404(GiftCampaign, pk=pk)
    response = HttpResponse(
        "\ufeff" + campaign_services.gift_shipping_list_csv(campaign_id=campaign.pk), content_type="text/csv"
    )
    response["Content-Disposition"] = f'attachment; filename="shipping-list-{campaign.pk}.csv"'
    access_log_record(user=request.user, person=None, what=f"gift shipping list of campaign {campaign.pk} downloaded",
                      path=request.path)
    return response


@require_POST
def campaign_import_view(request, pk):
    _require(request, "care.change_giftcampaign")
    campaign = get_object_or_404(GiftCampaign, pk=pk)
    form = forms.CourierImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a CSV file."))
        return redirect("care_campaigns:inspect", pk)
    try:
        report = campaign_services.gift_shipments_import(
            campaign_id=campaign.pk, data=form.cleaned_data["file"].read(), acting_user=request.user
        )
    except CareError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("%(updated)s updated, %(unchanged)s unchanged, %(rejected)s rejected.") % {
            "updated": report["updated"], "unchanged": report["unchanged"], "rejected": len(report["rejected"])})
        for row in report["rejected"][:20]:
            messages.warning(request, _("Line %(line)s: %(reason)s") % row)
    return redirect("care_campaigns:inspect", pk)


def recipient_letter_view(request, pk, recipient_id):
    _require(request, "care.view_giftrecipient")
    recipient = get_object_or_404(GiftRecipient.objects.select_related("person", "campaign"), pk=recipient_id,
                                  campaign_id=pk)
    if recipient.state == GiftRecipient.State.EXCLUDED:
        raise Http404
    response = HttpResponse(letter_pdf(recipient), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="letter-{recipient.pk}.pdf"'
    return response


@require_POST
def recipient_state_view(request, pk, recipient_id):
    _require(request, "care.change_giftrecipient")
    recipient = get_object_or_404(GiftRecipient, pk=recipient_id, campaign_id=pk)
    try:
        campaign_services.gift_recipient_set_state(
            recipient_id=recipient.pk, state=request.POST.get("state", ""), acting_user=request.user,
            courier=request.POST.get("courier", "").strip(), tracking=request.POST.get("tracking", "").strip(),
        )
    except (CareError, ValueError) as exc:
        messages.error(request, str(exc))
    return redirect("care_campaigns:inspect", pk)


class RecipientAddressView(WagtailAdminTemplateMixin, FormView):
    """Care staff enter or correct the delivery address of one gift (it then counts as confirmed by staff)."""

    template_name = "care/campaigns/admin_address.html"
    form_class = forms.GiftAddressStaffForm
    header_icon = "pick"
    page_title = gettext_lazy("Delivery address")

    def dispatch(self, request, *args, **kwargs):
        _require(request, "care.change_giftrecipient")
        self.recipient = get_object_or_404(GiftRecipient.objects.select_related("person", "campaign"),
                                           pk=kwargs["recipient_id"], campaign_id=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return f"{campaign_services.recipient_reference(self.recipient)} · {self.recipient.person}"

    def get_breadcrumbs_items(self):
        campaign = self.recipient.campaign
        return self.breadcrumbs_items + [
            {"url": reverse("care_campaigns:index"), "label": GiftCampaign._meta.verbose_name_plural},
            {"url": reverse("care_campaigns:inspect", args=[campaign.pk]), "label": campaign.name},
            {"url": "", "label": self.page_title},
        ]

    def get_initial(self):
        r = self.recipient
        return {"name": r.ship_name, "phone": r.ship_phone.removeprefix("+86"), "address": r.ship_address,
                "postcode": r.ship_postcode}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update({
            "recipient": self.recipient,
            "editable": self.recipient.state in campaign_services.STAFF_ADDRESS_STATES,
        })
        return context

    def form_valid(self, form):
        try:
            campaign_services.gift_address_enter(recipient_id=self.recipient.pk, acting_user=self.request.user,
                                                 **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        except CareError as exc:
            form.add_error(None, str(exc))
            return self.form_invalid(form)
        messages.success(self.request, _("The address of %(reference)s is saved; it counts as confirmed by staff.")
                         % {"reference": campaign_services.recipient_reference(self.recipient)})
        return redirect("care_campaigns:inspect", self.recipient.campaign_id)


class GiftCampaignViewSet(ModelViewSet):
    model = GiftCampaign
    icon = "pick"
    menu_label = gettext_lazy("Gift campaigns")
    menu_order = 240
    url_prefix = "care/campaigns"
    inspect_view_class = GiftCampaignInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    list_display = ["name", "period_start", "period_end", "audience", "state", "launched_at"]
    list_filter = ["state", "audience"]
    form_fields = ["name", "period_start", "period_end", "audience", "gift_description", "gift_description_en", "budget", "letter_template"]

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("<int:pk>/preview/", CampaignPreviewView.as_view(), name="preview"),
            path("<int:pk>/launch/", campaign_launch_view, name="launch"),
            path("<int:pk>/recipients/<int:recipient_id>/address/", RecipientAddressView.as_view(), name="address"),
            path("<int:pk>/shipping-list.csv", campaign_export_view, name="export"),
            path("<int:pk>/import/", campaign_import_view, name="import"),
            path("<int:pk>/letters/<int:recipient_id>.pdf", recipient_letter_view, name="letter"),
            path("<int:pk>/recipients/<int:recipient_id>/state/", recipient_state_view, name="recipient_state"),
        ]


class LetterTemplateViewSet(SnippetViewSet):
    model = LetterTemplate
    icon = "mail"
    menu_label = gettext_lazy("Letter templates")
    menu_order = 250
    url_prefix = "care/letters"
    list_display = ["name", "live"]
    chooser_viewset_class = RestrictedSnippetChooserViewSet

