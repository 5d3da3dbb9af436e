"""Builders shared by the complaint, campaign and report tests."""

from datetime import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from care.models import Complaint, GiftCampaign, LetterTemplate, SupportGroup
from care.services.complaints import complaint_create
from home.models import ProductLine
from home.roles import sync_roles


def staff_user(username, role, email=None):
    sync_roles()
    user = get_user_model().objects.create_user(username=username, email=email or f"{username}@example.com",
                                                password="x-password-123", is_staff=True)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


def at(year, month, day, hour=10, minute=0):
    return timezone.make_aware(datetime(year, month, day, hour, minute))


def product_line(slug="firewall"):
    line, _ = ProductLine.objects.get_or_create(slug=slug, defaults={"name_zh_hans": "安全网关", "name_en": "Security gateways"})
    return line


def complaint(user, *, name="张伟", email="zhang.wei@example.com", kind=Complaint.Kind.COMPLAINT, severity="medium",
              received_at=None, summary="网关频繁掉线", organisation_name="", language="zh-hans", **kwargs):
    return complaint_create(
        acting_user=user, channel=kwargs.pop("channel", "phone"), kind=kind, category=kwargs.pop("category", "network"),
        severity=severity, summary=summary, description=kwargs.pop("description", "每天下午断网两次。"),
        name=name, email=email, organisation_name=organisation_name, language=language,
        received_at=received_at, product_line=kwargs.pop("product_line", None), notify=kwargs.pop("notify", True),
    )


def checklist_done(item, user):
    """Tick every item of the complaint's checklist and of its open work orders, as staff would."""
    from care.services.complaints import complaint_check_item
    from care.services.workorders import workorder_check_item

    item.refresh_from_db()
    for index in range(len(item.checklist)):
        complaint_check_item(complaint_id=item.pk, index=index, done=True, acting_user=user)
    for order in item.work_orders.filter(closed_at__isnull=True):
        for index in range(len(order.checklist)):
            workorder_check_item(work_order_id=order.pk, index=index, done=True, acting_user=user)


def support_group(name="网络支持组", **kwargs):
    return SupportGroup.objects.create(name=name, email="network@example.com", **kwargs)


def letter_template(live=True):
    template = LetterTemplate.objects.create(
        name="年终感谢信",
        subject_zh_hans="{{ name }}，感谢您的宝贵意见",
        body_zh_hans="尊敬的{{ name }}：\n感谢您在{{ feedback_date }}告诉我们：{{ feedback }}。\n我们已经改进：{{ changes }}。\n我们为您准备了{{ gift }}。",
        subject_en="Thank you, {{ name }}",
        body_en="Dear {{ name }},\nOn {{ feedback_date }} you told us: {{ feedback }}.\nWhat we changed: {{ changes }}.\nWe are sending you {{ gift }}.",
        signature="客户关怀部",
        live=live,
    )
    return template


def campaign(year, template=None, audience=GiftCampaign.Audience.BOTH):
    from datetime import date

    return GiftCampaign.objects.create(
        name=f"{year} 年终感谢", period_start=date(year, 1, 1), period_end=date(year, 12, 31), audience=audience,
        gift_description="定制保温杯", gift_description_en="a custom thermos", budget=5000,
        letter_template=template or letter_template(),
    )


def launch(item, user):
    """Launch a campaign as the admin does: with the digest of the preview just looked at."""
    from care.services.campaigns import campaign_preview, gift_campaign_launch

    return gift_campaign_launch(campaign_id=item.pk, acting_user=user, previewed=campaign_preview(item)["digest"])
