"""Demo knowledge base: the index page in both languages and a few standalone FAQ articles. The
journal's demo issues add their product-knowledge and technical-note sections when published."""

from wagtail.models import Locale

from home.selectors import product_lines_active

from ..models import (
    IssuePage,
    KnowledgeArticlePage,
    KnowledgeDeflection,
    KnowledgeFeedback,
    KnowledgeIndexPage,
    KnowledgeSearchTerm,
    KnowledgeSection,
)

TEXTS = {
    "zh-hans": {
        "index": ("知识库", "<p>常见问题与产品知识：先查一查，很多问题马上就能解决。</p>"),
        "articles": [
            ("phishing-mail", "mail", "如何识别钓鱼邮件？", "看发件人、看链接、看附件，拿不准就先打电话确认。",
             "<p>钓鱼邮件常冒充领导或供应商。请核对发件人地址，把鼠标停在链接上查看真实地址，"
             "不要打开陌生的压缩包附件。怀疑是钓鱼邮件时，请转发给管理员。</p>", "2026-11"),
            ("firmware-upgrade-failed", "firewall", "安全网关固件升级失败怎么办？",
             "固件升级失败时先不要断电，按以下步骤恢复。",
             "<p>升级中断或失败后，设备会自动回到原来的固件版本。请确认固件文件与型号（如 SG-200）一致，"
             "导出配置后重新上传固件；仍然失败请拨打服务热线。</p>", "2026-10"),
            ("restore-backup", "hosting", "如何从备份恢复云主机？", "在控制台选择备份点，几分钟即可恢复。",
             "<p>在控制台的“备份”页选择恢复点，确认后系统会创建新的磁盘。恢复前请先停止写入数据。</p>", ""),
        ],
    },
    "en": {
        "index": ("Knowledge base", "<p>Frequent questions and product knowledge: many problems are solved in a minute.</p>"),
        "articles": [
            ("phishing-mail", "mail", "How do I spot a phishing email?", "Check the sender, the links and the attachments.",
             "<p>Phishing mail often pretends to come from a manager or a supplier. Check the sender address, "
             "hover over links to see where they lead and do not open unexpected archives.</p>", "2026-11"),
            ("firmware-upgrade-failed", "firewall", "The gateway firmware upgrade failed: what now?",
             "Do not switch the device off; recover in a few steps.",
             "<p>After a failed upgrade the device returns to its previous firmware. Check that the firmware file "
             "matches the model (such as SG-200), export the configuration and upload it again.</p>", "2026-10"),
            ("restore-backup", "hosting", "How do I restore a cloud host from a backup?",
             "Choose a restore point in the console.",
             "<p>On the console's Backups page choose a restore point; a new disk is created.</p>", ""),
        ],
    },
}


def load_knowledge(pages, stdout=None):
    """Idempotent: pages that exist (by slug) are left as they are."""
    lines = {line.slug: line for line in product_lines_active()}
    for language, texts in TEXTS.items():
        home = pages[language]
        locale = Locale.objects.get(language_code=language)
        index = KnowledgeIndexPage.objects.child_of(home).first()
        if index is None:
            title, intro = texts["index"]
            index = home.add_child(instance=KnowledgeIndexPage(title=title, slug="knowledge", intro=intro,
                                                               locale=locale))
            index.save_revision().publish()
        for slug, line, title, summary, body, issue_slug in texts["articles"]:
            if KnowledgeArticlePage.objects.child_of(index).filter(slug=slug).exists():
                continue
            issue = IssuePage.objects.filter(slug=issue_slug, locale=locale).first() if issue_slug else None
            article = KnowledgeArticlePage(title=title, slug=slug, summary=summary, body=body, locale=locale,
                                           product_line=lines.get(line), related_issue=issue)
            # The same article in another language is its translation (same translation key).
            original = KnowledgeArticlePage.objects.filter(slug=slug).exclude(locale=locale).first()
            if original is not None:
                article.translation_key = original.translation_key
            index.add_child(instance=article)
            article.save_revision().publish()
    _activity(lines)
    if stdout:
        stdout.write("Knowledge base with three articles in Chinese and English, and some readers' answers.")


def _activity(lines):
    """A few answers, searches and complaint-form suggestions, so the editors' dashboard has figures."""
    if KnowledgeFeedback.objects.exists():
        return
    faq = {p.slug: p for p in KnowledgeArticlePage.objects.live().filter(locale__language_code="zh-hans")}
    section = KnowledgeSection.objects.filter(live=True, language="zh-hans").first()
    answers = [(faq.get("phishing-mail"), True)] * 5 + [(faq.get("phishing-mail"), False)]
    answers += [(faq.get("firmware-upgrade-failed"), True)] * 2 + [(faq.get("restore-backup"), False)] * 3
    KnowledgeFeedback.objects.bulk_create([KnowledgeFeedback(page=page, helpful=yes) for page, yes in answers if page])
    if section:
        KnowledgeFeedback.objects.create(section=section, helpful=True)
    for query, searches, without in (("打印机 卡纸", 4, 4), ("钓鱼", 7, 0), ("发票", 2, 2)):
        KnowledgeSearchTerm.objects.get_or_create(query=query, language="zh-hans",
                                                  defaults={"searches": searches, "without_articles": without})
    KnowledgeDeflection.objects.create(query="固件升级 失败", product_line=lines.get("firewall"), articles_shown=2)
    KnowledgeDeflection.objects.create(query="邮箱 收不到 邮件", product_line=lines.get("mail"), articles_shown=3,
                                       submitted=True)
