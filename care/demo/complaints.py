"""Demo content of complaints: complaints and suggestions of last year and this year, support groups,
a bilingual thank-you letter and a campaign for last year. Idempotent."""

from datetime import date, datetime, timedelta

from django.utils import timezone

from home.models import Person, ProductLine

from ..models import Complaint, GiftCampaign, LetterTemplate, SupportGroup
from ..services.complaints import complaint_check_item, complaint_create, complaint_resolve
from ..services.workorders import complaint_escalate

LETTER = {
    "name": "年终感谢信 / Year-end thank-you",
    "subject_zh_hans": "{{ name }}，感谢您的宝贵意见",
    "body_zh_hans": (
        "尊敬的{{ name }}：\n\n"
        "感谢您在{{ feedback_date }}向我们提出{{ kind }}：{{ feedback }}。\n"
        "根据您的意见，我们做了以下改进：{{ changes }}。\n\n"
        "为表谢意，我们为您准备了一份小礼物：{{ gift }}。请点击邮件中的链接确认收货地址。\n\n"
        "祝您新年快乐！"
    ),
    "subject_en": "Thank you for your feedback, {{ name }}",
    "body_en": (
        "Dear {{ name }},\n\n"
        "On {{ feedback_date }} you sent us a {{ kind }}: {{ feedback }}.\n"
        "Because of it we changed the following: {{ changes }}.\n\n"
        "As a thank-you we would like to send you {{ gift }}. Please confirm your address through the link "
        "in the email.\n\nHappy New Year!"
    ),
    "signature": "客户关怀部 / Customer Care",
}


def _at(year, month, day, hour=10):
    return timezone.make_aware(datetime(year, month, day, hour))


def _complaints(last, this):
    firewall = ProductLine.objects.filter(slug="firewall").first()
    mail = ProductLine.objects.filter(slug="mail").first()
    hosting = ProductLine.objects.filter(slug="hosting").first()
    return [
        # (name, email, language, organisation, kind, channel, category, line, severity, summary, received, resolution)
        ("张伟", "zhangwei.feedback@example.com", "zh-hans", "华东电力", "complaint", "phone", "network", firewall, "high",
         "安全网关每天下午掉线", _at(last, 3, 5), "升级了网关固件并更换了电源模块"),
        ("李娜", "lina.feedback@example.com", "zh-hans", "", "suggestion", "web", "product", mail, "low",
         "希望企业邮箱支持批量导出", _at(last, 6, 18), "企业邮箱 8.2 版增加了批量导出"),
        ("王芳", "wangfang.feedback@example.com", "zh-hans", "", "complaint", "sms", "billing", None, "medium",
         "账单金额与合同不符", _at(last, 8, 2), "已退还多收的费用"),
        ("Emily Chen", "emily.feedback@example.com", "en", "Harbour Logistics", "suggestion", "email", "product", hosting,
         "low", "Offer the hosting console in English", _at(last, 11, 20), "The console is now available in English"),
        ("陈静", "chenjing.feedback@example.com", "zh-hans", "华东电力", "complaint", "im", "repair", firewall, "medium",
         "维修工程师迟到两小时", _at(this, 1, 10), ""),
        ("刘洋", "liuyang.feedback@example.com", "zh-hans", "", "complaint", "phone", "network", hosting, "critical",
         "云主机无法访问", _at(this, 2, 3), ""),
    ]


def checklist_tick_all(complaint_id, user):
    """Work a demo complaint through its follow-up checklist."""
    for index in range(len(Complaint.objects.get(pk=complaint_id).checklist)):
        complaint_check_item(complaint_id=complaint_id, index=index, done=True, acting_user=user)


def load_demo(pages, stdout=None):
    year = timezone.localdate().year
    last = year - 1
    network, _ = SupportGroup.objects.get_or_create(name="网络支持组", defaults={"email": "network@example.com"})
    SupportGroup.objects.get_or_create(name="硬件维修组", defaults={"email": "repair@example.com"})

    created = 0
    for (name, email, language, org, kind, channel, category, line, severity, summary, received,
         resolution) in _complaints(last, year):
        if Complaint.objects.filter(summary=summary, person__email=email).exists():
            continue
        received = min(received, timezone.now() - timedelta(days=1))  # early in January, "this year's" are not yet
        item = complaint_create(
            acting_user=None, channel=channel, kind=kind, category=category, severity=severity, summary=summary,
            description=summary, name=name, email=email, organisation_name=org, language=language,
            product_line=line, received_at=received, notify=False,
        )
        if resolution:
            checklist_tick_all(item.pk, None)
            complaint_resolve(complaint_id=item.pk, acting_user=None, resolution=resolution, notify=False)
            Complaint.objects.filter(pk=item.pk).update(resolved_at=received + timedelta(days=3))
        elif severity == "critical":
            complaint_escalate(complaint_id=item.pk, acting_user=None, support_group=network)
        created += 1
    Person.objects.filter(email="wangfang.feedback@example.com").update(do_not_contact=True)

    template = LetterTemplate.objects.filter(name=LETTER["name"]).first()
    if template is None:
        template = LetterTemplate.objects.create(**LETTER, live=False)
        template.save_revision().publish()
    GiftCampaign.objects.get_or_create(
        name=f"{last} 年终感谢 / {last} year-end thank-you",
        defaults={"period_start": date(last, 1, 1), "period_end": date(last, 12, 31), "audience": "both",
                  "gift_description": "定制保温杯", "gift_description_en": "a custom thermos", "budget": 5000, "letter_template": template},
    )
    if stdout is not None and created:
        stdout.write(f"complaints: {created} demo complaints and suggestions\n")
