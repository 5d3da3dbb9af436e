"""journal_import_subscribers: a report of rejected rows, all or nothing, re-import updates."""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import translation

from home.models import Consent, Organisation, Person
from newsletter.models import Subscriber
from newsletter.services import imports

pytestmark = pytest.mark.django_db

CSV = """email,name,company,language,product_lines
li.lei@example.com,李雷,蓝海科技,zh-hans,firewall;mail
han.meimei@example.com,韩梅梅,,en,
not-an-email,坏行,,zh-hans,
,空地址,,zh-hans,
wu.gang@example.com,吴刚,,fr,
zhao.min@example.com,赵敏,,zh-hans,toasters
LI.LEI@example.com,李雷,蓝海科技,zh-hans,
"""


@pytest.fixture(autouse=True)
def lines(db):
    from home.demo.pages import _product_lines

    _product_lines()


def _import(tmp_path, text, *args):
    path = tmp_path / "subscribers.csv"
    path.write_text(text, encoding="utf-8")
    out = StringIO()
    with translation.override("en"):
        call_command("journal_import_subscribers", str(path), *args, stdout=out)
    return out.getvalue()


def test_import_reports_every_rejected_row(tmp_path):
    out = _import(tmp_path, CSV)
    assert "2 created, 0 updated, 5 rejected" in out
    for line, reason in [(4, "not a valid email"), (5, "no email"), (6, "unknown language"),
                         (7, "unknown product line"), (8, "duplicate of line 2")]:
        assert re.search(rf"line {line}: rejected .*{reason}", out), out
    li = Subscriber.objects.get(person__email="li.lei@example.com")
    assert li.status == Subscriber.Status.ACTIVE
    assert li.person.organisation.name == "蓝海科技"
    assert sorted(li.product_lines.values_list("slug", flat=True)) == ["firewall", "mail"]
    assert Consent.objects.filter(person=li.person, granted=True, source="import: subscribers.csv").exists()


def test_reimport_updates_and_never_reactivates(tmp_path):
    _import(tmp_path, CSV)
    Subscriber.objects.filter(person__email="han.meimei@example.com").update(status=Subscriber.Status.UNSUBSCRIBED)
    out = _import(tmp_path, "email,name,language,product_lines\nli.lei@example.com,李雷雷,en,pc\n"
                            "han.meimei@example.com,韩梅梅,en,\n")
    assert "0 created, 2 updated" in out and "kept as" in out
    assert Subscriber.objects.count() == 2
    li = Subscriber.objects.get(person__email="li.lei@example.com")
    assert li.language == "en" and li.person.name == "李雷雷"
    assert list(li.product_lines.values_list("slug", flat=True)) == ["pc"]
    assert Subscriber.objects.get(person__email="han.meimei@example.com").status == Subscriber.Status.UNSUBSCRIBED


def test_a_crash_leaves_nothing_imported(tmp_path, monkeypatch):
    """The consent ledger cannot be written (last step): the people and subscribers already written go too."""
    real = imports._consents_record

    def crash_after_writing(cursor, **kwargs):
        real(cursor, **kwargs)
        assert Subscriber.objects.count() == 2 and Consent.objects.count() == 2  # written, not yet committed
        raise RuntimeError("disk full")

    monkeypatch.setattr(imports, "_consents_record", crash_after_writing)
    with pytest.raises(RuntimeError):
        _import(tmp_path, CSV)
    assert not Subscriber.objects.exists()
    assert not Person.objects.exists()
    assert not Consent.objects.exists()


def test_file_without_email_column_is_refused(tmp_path):
    with pytest.raises(CommandError):
        _import(tmp_path, "name,language\n李雷,zh-hans\n")





def _import_bytes(tmp_path, data, *args):
    path = tmp_path / "excel.csv"
    path.write_bytes(data)
    out = StringIO()
    with translation.override("en"):
        call_command("journal_import_subscribers", str(path), *args, stdout=out)
    return out.getvalue()


GBK_CSV = "email,name,company,language,product_lines\r\nzhang.san@example.com,张三,蓝海科技,zh-hans,\r\n"


@pytest.mark.parametrize("encoding", ["gb18030", "gbk"])
def test_a_csv_saved_by_excel_on_chinese_windows_is_read(tmp_path, encoding):
    output = _import_bytes(tmp_path, GBK_CSV.encode(encoding))
    assert "1 created" in output
    assert Subscriber.objects.get().person.name == "张三"


def test_utf8_with_bom_and_a_given_encoding(tmp_path):
    assert "1 created" in _import_bytes(tmp_path, GBK_CSV.encode("utf-8-sig"))
    Subscriber.objects.all().delete()
    assert "1 created" in _import_bytes(tmp_path, GBK_CSV.encode("gb18030"), "--encoding", "gb18030")
    with pytest.raises(CommandError, match="line 2"):
        _import_bytes(tmp_path, GBK_CSV.encode("gb18030"), "--encoding", "utf-8")


def test_rejected_rows_carry_their_true_reason_and_duplicates_name_their_line(tmp_path):
    text = ("email,name,company,language,product_lines\n"
            "a@example.com,甲,,zh-hans,\n"
            f"b@example.com,{'名' * 121},,zh-hans,\n"
            f"c@example.com,丙,{'公司' * 101},zh-hans,\n"
            " A@Example.COM ,被拒绝的名字,,zh-hans,\n")
    output = _import(tmp_path, text)
    assert "line 3: rejected b@example.com: name too long (at most 120 characters)" in output
    assert "line 4: rejected c@example.com: company name too long (at most 200 characters)" in output
    assert "line 5: rejected A@Example.COM: duplicate of line 2 (the same address)" in output
    assert "invalid" not in output.split("line 3")[1].split("\n")[0]
    assert Subscriber.objects.get().person.name == "甲"  # the rejected duplicate changed nothing


def test_reimport_keeps_what_the_file_leaves_blank_and_confirms_pending_addresses(tmp_path):
    from newsletter.services.subscribers import subscriber_subscribe

    _import(tmp_path, "email,name,company,language\nli.lei@example.com,李雷,蓝海科技,zh-hans\n")
    subscriber_subscribe(email="wang.wu@example.com", name="王五", language="en")
    assert Subscriber.objects.get(person__email="wang.wu@example.com").status == Subscriber.Status.PENDING
    out = _import(tmp_path, "email,name,company,language,product_lines\n"
                            "Li.Lei@Example.com,,,en,pc\nwang.wu@example.com,,,en,\n")
    assert "0 created, 2 updated, 0 rejected" in out
    li = Subscriber.objects.get(person__email="li.lei@example.com")
    assert li.person.name == "李雷" and li.person.organisation.name == "蓝海科技"  # blank cells change nothing
    assert li.language == "en" and li.person.language == "en"
    assert Consent.objects.filter(person=li.person).count() == 1  # already active: no second consent
    wang = Subscriber.objects.get(person__email="wang.wu@example.com")
    assert wang.status == Subscriber.Status.ACTIVE and wang.confirmed_at is not None
    assert wang.person.name == "王五"
    assert Consent.objects.filter(person=wang.person, granted=True, source="import: subscribers.csv").exists()


def _report(report):
    return report.created, report.updated, report.rejected, report.kept_status


@pytest.mark.parametrize("chunk_rows", [1, 2, 3])
def test_where_the_chunks_split_the_file_changes_nothing(chunk_rows):
    """The file is read and written in chunks; one import and another cut elsewhere give the same."""
    with translation.override("en"):
        whole = _report(imports.subscribers_import(stream=CSV.encode(), source="a.csv", chunk_rows=100))
        Subscriber.objects.filter(person__email="han.meimei@example.com").update(status=Subscriber.Status.BOUNCED)
        again = _report(imports.subscribers_import(stream=CSV.encode(), source="a.csv", chunk_rows=chunk_rows))
    assert whole[:2] == (2, 0) and again[:2] == (0, 2)
    assert again[2] == whole[2] and [line for line, _email, _reason in again[2]] == [4, 5, 6, 7, 8]
    assert again[3] == [(3, "han.meimei@example.com", "bounced")]
    assert Subscriber.objects.count() == 2 and Person.objects.count() == 2
    li = Subscriber.objects.get(person__email="li.lei@example.com")
    assert sorted(li.product_lines.values_list("slug", flat=True)) == ["firewall", "mail"]
    assert Consent.objects.filter(person=li.person).count() == 1  # active already: no second consent


def test_names_with_commas_quotes_and_backslashes_arrive_as_written():
    """The staging tables are loaded as CSV (COPY on PostgreSQL): what needs quoting arrives intact."""
    text = 'email,name,company\nq@example.com,"Li, ""Lei"" \\ 李",\nr@example.com,,"蓝海, ""科技"" \\N"\n'
    report = imports.subscribers_import(stream=text.encode(), source="q.csv")
    assert (report.created, report.rejected) == (2, [])
    assert Person.objects.get(email="q@example.com").name == 'Li, "Lei" \\ 李'
    r = Person.objects.get(email="r@example.com")
    assert (r.name, r.organisation.name) == ("", '蓝海, "科技" \\N')


def test_one_organisation_per_company_spelt_as_on_its_first_line():
    text = "email,company\nc@example.com,acme Ltd\nd@example.com,ACME  LTD\ne@example.com,蓝海科技\n"
    imports.subscribers_import(stream=text.encode(), source="o.csv", chunk_rows=2)
    imports.subscribers_import(stream=b"email,company\nf@example.com,Acme Ltd\n", source="p.csv")
    assert sorted(Organisation.objects.values_list("name", flat=True)) == ["acme Ltd", "蓝海科技"]
    assert {p.email: p.organisation.name for p in Person.objects.all()} == {
        "c@example.com": "acme Ltd", "d@example.com": "acme Ltd", "e@example.com": "蓝海科技", "f@example.com": "acme Ltd"}


def test_an_import_that_adds_many_organisations_refreshes_their_statistics():
    """The people's foreign-key checks plan their organisation lookups from the table's statistics, which
    autovacuum cannot refresh before the commit; an import that adds many organisations refreshes them."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: the statistics are PostgreSQL's")
    table = Organisation._meta.db_table
    few = "email,company\n" + "".join(f"a{i}@example.com,公司{i}\n" for i in range(imports.ANALYZE_AFTER_ORGANISATIONS - 1))
    many = "email,company\n" + "".join(f"b{i}@example.com,企业{i}\n" for i in range(imports.ANALYZE_AFTER_ORGANISATIONS))
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [table])
        before = cursor.fetchone()[0]
        imports.subscribers_import(stream=few.encode(), source="few.csv")
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [table])
        assert cursor.fetchone()[0] == before  # too few to bother
        imports.subscribers_import(stream=many.encode(), source="many.csv")
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [table])
        assert cursor.fetchone()[0] == Organisation.objects.count() == 2 * imports.ANALYZE_AFTER_ORGANISATIONS - 1


def test_an_unreadable_row_after_some_chunks_are_written_stops_the_import_with_its_line(tmp_path):
    """The reader thread's error reaches the caller; the chunks already written are rolled back."""
    broken = CSV.splitlines()[:3] + [f'x@example.com,"{"长" * 140_000}",,zh-hans,']
    with pytest.raises(CommandError, match="line 4"):
        _import(tmp_path, "\n".join(broken) + "\n")
    assert not Person.objects.exists() and not Subscriber.objects.exists()


@pytest.mark.parametrize("language, invalid, duplicate", [
    ("zh-hans", "邮箱地址无效", "与第 2 行重复（同一地址）"),
    ("en", "not a valid email address", "duplicate of line 2 (the same address)"),
])
def test_the_reasons_are_in_the_importers_language(language, invalid, duplicate):
    with translation.override(language):
        report = imports.subscribers_import(stream=CSV.encode(), source="a.csv", chunk_rows=1)
    reasons = {line: reason for line, _email, reason in report.rejected}
    assert reasons[4] == invalid and reasons[8] == duplicate
