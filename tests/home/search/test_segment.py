"""Word segmentation for the index and for queries, and highlighted snippets."""

from home.search import segment


def test_index_text_gets_chinese_words_and_keeps_everything_else():
    text = segment.for_index("企业邮箱防钓鱼指南 SG-100 5.3")
    assert text.split() == ["企业", "邮箱", "企业邮箱", "防", "钓鱼", "指南", "SG-100", "SG", "100", "5.3"]


def test_query_keeps_the_finest_words():
    assert segment.query_terms("企业邮箱") == ["企业", "邮箱"]
    assert segment.query_terms("固件升级 失败") == ["固件", "升级", "失败"]
    assert segment.query_terms('SG-100 "VPN" 5.3。') == ["SG-100", "VPN", "5.3"]
    assert segment.query_terms("安全网关入门（视频课程）") == ["安全", "网关", "入门", "视频", "课程"]
    assert segment.query_terms("C++, v2.0!") == ["C++", "v2.0"]


def test_text_without_chinese_keeps_its_words_and_adds_the_parts_of_codes():
    assert segment.for_index("Firmware 5.3 for SG-100") == "Firmware 5.3 for SG-100 SG 100"
    assert segment.for_index("e-mail well-known") == "e-mail e mail well-known well known"


def test_highlight_marks_terms_and_escapes_html():
    snippet = segment.highlight("<b>注意</b> 升级前先备份配置，备份很重要", "备份")
    assert "<b>" not in snippet and "&lt;b&gt;" in snippet
    assert snippet.count("<mark>备份</mark>") == 2


def test_highlight_is_case_insensitive_for_latin_words():
    assert "<mark>vpn</mark>" in segment.highlight("Reset the vpn tunnel", "VPN")
