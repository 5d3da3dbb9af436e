"""Demo content of the e-journal: the archive at /journal/ in both languages and two published issues
with every section type, in Chinese and English (English pages are Wagtail translations)."""

import datetime
import io
import uuid

from django.core.files.images import ImageFile
from PIL import Image as PILImage
from PIL import ImageDraw
from wagtail.images import get_image_model
from wagtail.models import Locale

from home.selectors import product_lines_active

from ..models import IssuePage, JournalIndexPage


def _png(name: str, size: tuple[int, int], colours: tuple[str, str]):
    """A small generated PNG (stripes of two colours) as a Wagtail image; no network needed."""
    Image = get_image_model()
    existing = Image.objects.filter(title=name).first()
    if existing:
        return existing
    img = PILImage.new("RGB", size, colours[0])
    draw = ImageDraw.Draw(img)
    for x in range(0, size[0], 40):
        draw.rectangle([x, 0, x + 18, size[1]], fill=colours[1])
    buffer = io.BytesIO()
    img.save(buffer, "PNG", optimize=True)
    image = Image(title=name, file=ImageFile(buffer, name=f"{name}.png"))
    image.save()
    return image


def _id(issue_no: int, n: int) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"demo-journal-{issue_no}-{n}"))


TEXTS = {
    "zh-hans": {
        "index_title": "电子期刊",
        "index_intro": "<p>每月一期：产品知识、技术通告、公司新闻，以及您的意见。</p>",
        "issues": [
            {
                "title": "安全运维从备份开始", "preheader": "本期：备份三原则、网关固件 5.2 说明、成都服务中心开业",
                "article": ("数据备份的三个原则", "<p>重要数据至少保留三份，存放在两种介质上，其中一份异地保存。</p>"),
                "knowledge": ("云主机快照与备份的区别", "<p>快照适合短期回滚，备份适合长期保存和异地恢复。</p>", "每周检查一次备份恢复。"),
                "tech": ("安全网关固件 5.2 升级说明", "SG-200、SG-500", "<p>升级前请先导出配置，升级约需 10 分钟。</p>"),
                "news": ("成都服务中心正式开业", "<p>西南地区客户可享受当日上门服务。</p>"),
                "image": ("机房巡检", "机房内整齐排列的服务器机柜", "工程师每月巡检机房。"),
                "cta": ("预约免费健康检查", "我们的工程师将远程检查您的网关配置。", "立即预约"),
                "helpful": "本期内容对您有帮助吗？",
                "poll": ("下期您最想看哪个主题？", ["邮件安全", "远程办公", "数据备份"]),
                "reply": ("给编辑部写信", "欢迎提出问题和建议，我们会认真回复。", "写信给编辑部"),
            },
            {
                "title": "企业邮箱防钓鱼指南", "preheader": "本期：识别钓鱼邮件、邮箱安全设置、新版商用电脑上市",
                "article": ("五步识别钓鱼邮件", "<p>检查发件人地址、链接目标和附件类型，有疑问时先电话确认。</p>"),
                "knowledge": ("企业邮箱的双重验证", "<p>开启双重验证后，即使密码泄露，账号也不易被盗用。</p>", "管理员可以为全员强制开启。"),
                "tech": ("邮件网关新增外部发件人标记", "企业邮箱 2026 版", "<p>来自外部的邮件主题前会显示“外部”标记。</p>"),
                "news": ("新一代商用电脑上市", "<p>新机型支持硬盘加密与远程管理。</p>"),
                "image": ("培训现场", "工程师在培训教室为客户讲解邮件安全", "十一月的客户培训现场。"),
                "cta": ("报名邮件安全培训", "线上课程，两小时，含结业证书。", "查看课程"),
                "helpful": "本期内容对您有帮助吗？",
                "poll": ("您的公司是否开启了双重验证？", ["已全员开启", "部分开启", "尚未开启"]),
                "reply": ("告诉我们您的想法", "对本期内容有任何疑问，欢迎来信。", "写信给编辑部"),
            },
        ],
    },
    "en": {
        "index_title": "E-journal",
        "index_intro": "<p>One issue a month: product knowledge, technical notes, company news and your views.</p>",
        "issues": [
            {
                "title": "Secure operations start with backups",
                "preheader": "In this issue: three backup rules, gateway firmware 5.2, our new Chengdu service centre",
                "article": ("Three rules for backups", "<p>Keep three copies of important data, on two kinds of media, one of them off site.</p>"),
                "knowledge": ("Cloud host snapshots versus backups", "<p>Snapshots are for quick roll-backs; backups are for keeping data long and restoring it elsewhere.</p>", "Test a restore every week."),
                "tech": ("Security gateway firmware 5.2", "SG-200, SG-500", "<p>Export your configuration before upgrading; the upgrade takes about 10 minutes.</p>"),
                "news": ("Chengdu service centre opens", "<p>Customers in the south-west now get same-day on-site service.</p>"),
                "image": ("Data centre rounds", "Rows of server racks in a data centre", "Our engineers inspect the data centre every month."),
                "cta": ("Book a free health check", "Our engineers check your gateway configuration remotely.", "Book now"),
                "helpful": "Was this issue helpful?",
                "poll": ("Which topic would you like next?", ["Mail security", "Remote work", "Backups"]),
                "reply": ("Write to the editors", "Questions and suggestions are welcome; we answer every message.", "Write to the editors"),
            },
            {
                "title": "Business mail: a guide against phishing",
                "preheader": "In this issue: spotting phishing, mailbox security settings, new business PCs",
                "article": ("Five steps to spot a phishing email", "<p>Check the sender address, where links lead and the attachment type; when in doubt, call.</p>"),
                "knowledge": ("Two-factor sign-in for business mail", "<p>With two-factor sign-in, a leaked password alone does not open the account.</p>", "Administrators can require it for everyone."),
                "tech": ("Mail gateway marks outside senders", "Business mail 2026", "<p>Mail from outside the company now shows an \"External\" tag before the subject.</p>"),
                "news": ("New business PCs available", "<p>The new models support disk encryption and remote management.</p>"),
                "image": ("At the training", "An engineer explains mail security to customers in a classroom", "November's customer training."),
                "cta": ("Sign up for mail security training", "Online, two hours, with a certificate.", "See the course"),
                "helpful": "Was this issue helpful?",
                "poll": ("Does your company use two-factor sign-in?", ["Everyone", "Some people", "Not yet"]),
                "reply": ("Tell us what you think", "Questions about this issue? Write to us.", "Write to the editors"),
            },
        ],
    },
}

ISSUES = [
    {"no": 41, "slug": "2026-10", "date": datetime.date(2026, 10, 1), "line": "firewall", "knowledge_line": "hosting",
     "colours": ("#0b3d6b", "#1d6fb8")},
    {"no": 42, "slug": "2026-11", "date": datetime.date(2026, 11, 1), "line": "mail", "knowledge_line": "mail",
     "colours": ("#1e6e3a", "#3c9a5f")},
]


def issue_body(meta: dict, texts: dict, lines: dict, image) -> list[dict]:
    n = meta["no"]
    return [
        {"type": "article", "id": _id(n, 1), "value": {"heading": texts["article"][0], "body": texts["article"][1]}},
        {"type": "product_knowledge", "id": _id(n, 2), "value": {
            "heading": texts["knowledge"][0], "product_line": lines.get(meta["knowledge_line"]),
            "body": texts["knowledge"][1], "tip": texts["knowledge"][2]}},
        {"type": "technical_note", "id": _id(n, 3), "value": {
            "heading": texts["tech"][0], "product_line": lines.get(meta["line"]), "applies_to": texts["tech"][1],
            "body": texts["tech"][2]}},
        {"type": "company_news", "id": _id(n, 4), "value": {
            "heading": texts["news"][0], "date": meta["date"].isoformat(), "body": texts["news"][1]}},
        {"type": "image", "id": _id(n, 5), "value": {
            "heading": texts["image"][0], "image": image.pk, "alt": texts["image"][1], "caption": texts["image"][2]}},
        {"type": "call_to_action", "id": _id(n, 6), "value": {
            "heading": texts["cta"][0], "text": texts["cta"][1], "button_label": texts["cta"][2],
            "url": "https://journal.example.com/training/"}},
        {"type": "helpful", "id": _id(n, 7), "value": {"heading": texts["helpful"]}},
        {"type": "poll", "id": _id(n, 8), "value": {"heading": texts["poll"][0], "options": texts["poll"][1]}},
        {"type": "reply_prompt", "id": _id(n, 9), "value": {
            "heading": texts["reply"][0], "text": texts["reply"][1], "button_label": texts["reply"][2]}},
    ]


def _index(home, locale, texts, source=None):
    index = JournalIndexPage.objects.child_of(home).first()
    if index:
        return index
    if source is not None:
        index = source.copy_for_translation(locale)
    else:
        index = home.add_child(instance=JournalIndexPage(title=texts["index_title"], slug="journal", locale=locale))
    index.title = texts["index_title"]
    index.intro = texts["index_intro"]
    index.save_revision().publish()
    return index


def load_demo(pages, stdout=None):
    """Idempotent: existing pages (by slug under the archive) are left as they are."""
    zh = Locale.objects.get(language_code="zh-hans")
    en = Locale.objects.get(language_code="en")
    lines = {line.slug: line.pk for line in product_lines_active()}
    index_zh = _index(pages["zh-hans"], zh, TEXTS["zh-hans"])
    _index(pages["en"], en, TEXTS["en"], source=index_zh)
    for i, meta in enumerate(ISSUES):
        cover = _png(f"journal-cover-{meta['no']}", (600, 300), meta["colours"])
        picture = _png(f"journal-picture-{meta['no']}", (480, 270), meta["colours"][::-1])
        issue_zh = IssuePage.objects.child_of(index_zh).filter(slug=meta["slug"]).first()
        if issue_zh is None:
            texts = TEXTS["zh-hans"]["issues"][i]
            issue_zh = IssuePage(
                title=texts["title"], slug=meta["slug"], locale=zh, issue_number=meta["no"], issue_date=meta["date"],
                preheader=texts["preheader"], search_description=texts["preheader"], cover_image=cover,
                cover_alt=texts["title"], body=issue_body(meta, texts, lines, picture),
            )
            index_zh.add_child(instance=issue_zh)
            issue_zh.save_revision().publish()
        if issue_zh.get_translation_or_none(en) is None:
            texts = TEXTS["en"]["issues"][i]
            issue_en = issue_zh.copy_for_translation(en)
            issue_en.title = texts["title"]
            issue_en.preheader = issue_en.search_description = texts["preheader"]
            issue_en.cover_alt = texts["title"]
            issue_en.body = issue_body(meta, texts, lines, picture)
            issue_en.save_revision().publish()
        if stdout:
            stdout.write(f"Journal issue No. {meta['no']} ({meta['slug']}) in Chinese and English.")
