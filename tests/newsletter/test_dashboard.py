"""The knowledge panel on the editors' dashboard: terms searched without an article, most and least
helpful articles, complaint forms sent after suggested articles."""

import pytest
from django.test import RequestFactory

from home.dashboard import period_get
from newsletter.dashboard import KnowledgePanel
from newsletter.models import KnowledgeDeflection, KnowledgeFeedback

pytestmark = pytest.mark.django_db


def test_knowledge_panel_figures(knowledge, client, admin_user):
    faq = knowledge["faq"]
    KnowledgeFeedback.objects.bulk_create(
        [KnowledgeFeedback(page=faq["phishing-mail"], helpful=True) for _ in range(3)]
        + [KnowledgeFeedback(page=faq["restore-backup"], helpful=False) for _ in range(2)]
    )
    KnowledgeDeflection.objects.create(query="固件升级 失败", articles_shown=2, submitted=True)
    KnowledgeDeflection.objects.create(query="备份", articles_shown=1)
    client.get("/zh-hans/search/", {"q": "打印机 卡纸"})
    client.get("/zh-hans/search/", {"q": "打印机  卡纸"})
    client.get("/zh-hans/search/", {"q": "钓鱼"})

    request = RequestFactory().get("/admin/")
    request.user = admin_user
    data = KnowledgePanel(request, period_get("year")).get_data()
    rows = [tuple(str(c) for c in row) for row in data.rows]
    assert ("搜索无结果", "打印机 卡纸", "2") in rows
    assert not any(row[1] == "钓鱼" for row in rows)
    assert ("最有帮助", "如何识别钓鱼邮件？", "3 / 0") in rows
    assert ("最没帮助", "如何从备份恢复云主机？", "0 / 2") in rows
    assert {str(f.label): f.value for f in data.summary} == {"投诉表单中显示了建议文章": 2, "看到建议后仍然提交": 1}
