"""Public search response times with 5,000 journal issues and knowledge articles, on SQLite and PostgreSQL.

    .venv/bin/python bench/search.py [--items 5000] [--repeat 7] [--postgres-url URL] [--sqlite-path PATH] [--reuse]

For each database (a fresh SQLite file and a fresh PostgreSQL database `bench_search` on loopback) a
child process migrates, loads the home pages and product lines, creates 1 issue page in 5 and 4
knowledge articles (journal sections) in 5 of random common Chinese words (jieba's dictionary) with
the searched topics and product codes mixed into some of them, indexes them with
the Chinese-aware backend (home.search), then times the knowledge and issue searches the public
search page runs for each query. ``--reuse`` measures the databases a previous run loaded (loading
takes many minutes on a busy machine) after migrating them. Baseline in the same run: an ``icontains`` scan of the same fields
of the same rows returning the same number of results. Prints JSON. Target (issue 19): median under
50 ms on both databases.
"""

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.pgdb import recreate_database  # noqa: E402

QUERIES = ["钓鱼", "备份", "固件 升级", "SG-100", "VPN", "邮箱 安全", "5.3", "云主机 快照", "打印机"]
WORDS = ["企业", "邮箱", "防", "钓鱼", "指南", "数据", "备份", "恢复", "安全", "网关", "固件", "升级", "说明",
         "云主机", "快照", "商用", "电脑", "硬盘", "加密", "远程", "管理", "服务", "中心", "配置", "导出", "隧道",
         "账号", "密码", "验证", "策略", "日志", "告警", "带宽", "线路", "故障", "排查", "步骤", "注意", "事项"]
CODES = ["SG-100", "SG-200", "SG-500", "VPN", "5.2", "5.3", "IPSec", "NAS-2"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--postgres-url", default="postgres://postgres@127.0.0.1:5432/bench_search")
    parser.add_argument("--sqlite-path", default="/tmp/carejournal-bench-search/search.sqlite3")
    parser.add_argument("--reuse", action="store_true", help="measure the databases a previous run loaded")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_child(args.child, args.items, args.repeat, reuse=args.reuse)))
        return
    if not args.reuse:
        Path(args.sqlite_path).unlink(missing_ok=True)
        Path(args.sqlite_path).parent.mkdir(parents=True, exist_ok=True)
        recreate_database(args.postgres_url)
    results = {}
    for name, url in (("sqlite", f"sqlite:///{args.sqlite_path}"), ("postgresql", args.postgres_url)):
        out = subprocess.run(
            [sys.executable, __file__, "--child", url, "--items", str(args.items), "--repeat", str(args.repeat),
             *(["--reuse"] if args.reuse else [])],
            check=True, stdout=subprocess.PIPE, text=True,
        ).stdout
        results[name] = json.loads(out.strip().splitlines()[-1])
    print(json.dumps(results, indent=2, ensure_ascii=False))


def _child(url, items, repeat, reuse=False):
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    os.environ.setdefault("VAR_DIR", "/tmp/carejournal-bench-search")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if reuse:
        from newsletter.models import IssuePage, KnowledgeSection

        loaded = IssuePage.objects.count() + KnowledgeSection.objects.count()
        if loaded != items:
            raise SystemExit(f"--reuse: {url} holds {loaded} items, not {items}; run without --reuse")
        load_seconds = None
    else:
        print(f"{url.split(':')[0]}: migrated; loading {items} items", file=sys.stderr, flush=True)
        started = time.perf_counter()
        _load(items)
        load_seconds = round(time.perf_counter() - started, 1)
    _analyze()
    print(f"{url.split(':')[0]}: {items} items; measuring", file=sys.stderr, flush=True)
    return {"items": items, "load_and_index_s": load_seconds, **_measure(repeat)}


def _analyze():
    """Refresh the planner's statistics, as autovacuum (PostgreSQL) or ``PRAGMA optimize`` would after a load."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _vocabulary():
    """Filler: 20,000 common words of jieba's dictionary, so that, as in real text, a searched word
    occurs in a few percent of the documents rather than in all of them."""
    import jieba

    path = Path(jieba.__file__).parent / "dict.txt"
    entries = [line.split()[:2] for line in path.read_text(encoding="utf-8").splitlines()]
    entries = sorted((e for e in entries if len(e) == 2 and len(e[0]) > 1), key=lambda e: -int(e[1]))
    return [word for word, _freq in entries[:20000]]


VOCABULARY = []


def _text(rng, n):
    if not VOCABULARY:
        VOCABULARY.extend(_vocabulary())
    words = [rng.choice(VOCABULARY) for _ in range(n)]
    if rng.random() < 0.3:  # the topics customers search for, in about 3 documents in 10
        words.insert(rng.randrange(len(words)), rng.choice(WORDS))
    if rng.random() < 0.2:
        words.insert(rng.randrange(len(words)), f" {rng.choice(CODES)} ")
    return "".join(words)


def _load(items):
    from wagtail.models import Locale
    from wagtail.search.backends import get_search_backend

    from home.demo.pages import _home_pages, _product_lines
    from home.models import ProductLine
    from newsletter.models import IssuePage, JournalIndexPage, KnowledgeSection

    rng = random.Random(19)
    pages = _home_pages()
    _product_lines()
    lines = list(ProductLine.objects.all())
    zh = Locale.objects.get(language_code="zh-hans")
    index = pages["zh-hans"].add_child(instance=JournalIndexPage(title="电子期刊", slug="journal", locale=zh))
    n_issues = items // 5
    issues = []
    for n in range(n_issues):
        body = [{"type": "article", "value": {"heading": _text(rng, 6), "body": f"<p>{_text(rng, 60)}</p>"}}]
        issue = IssuePage(title=_text(rng, 5), slug=f"issue-{n}", locale=zh, issue_number=n + 1,
                          issue_date=f"{2000 + n // 12}-{n % 12 + 1:02d}-01", preheader=_text(rng, 12), body=body)
        index.add_child(instance=issue)
        issues.append(issue)
    sections = [
        KnowledgeSection(issue=issues[n % n_issues], block_id=f"b{n}", kind="technical_note", language="zh-hans",
                         title=_text(rng, 5), body=f"<p>{_text(rng, 80)}</p>", note=rng.choice(CODES),
                         product_line=rng.choice(lines))
        for n in range(items - n_issues)
    ]
    KnowledgeSection.objects.bulk_create(sections, batch_size=500)
    backend = get_search_backend()
    backend.add_bulk(KnowledgeSection, list(KnowledgeSection.objects.all()))
    call_index = backend.get_index_for_model(IssuePage)
    call_index.add_items(IssuePage, list(IssuePage.objects.all()))


def _timed(fn, repeat):
    fn()  # warm: jieba's dictionary and the query plans
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _measure(repeat):
    from django.db.models import Q

    from newsletter import selectors
    from newsletter.models import IssuePage, KnowledgeSection

    rows = {}
    for query in QUERIES:
        found = {}

        def search(query=query, found=found):
            articles = selectors.knowledge_search(query=query, language="zh-hans", limit=20)
            issues = selectors.issues_search(query=query, language="zh-hans", limit=20)
            found["search"] = len(articles) + len(issues)

        def scan(query=query, found=found):
            articles = list(KnowledgeSection.objects.filter(live=True, language="zh-hans").filter(
                Q(title__icontains=query) | Q(body__icontains=query) | Q(note__icontains=query))[:20])
            issues = list(IssuePage.objects.live().filter(locale__language_code="zh-hans").filter(
                Q(title__icontains=query) | Q(preheader__icontains=query) | Q(body__icontains=query))[:20])
            found["scan"] = len(articles) + len(issues)

        rows[query] = {"search_ms": round(_timed(search, repeat), 1), "icontains_ms": round(_timed(scan, repeat), 1),
                       "search_hits": found["search"], "icontains_hits": found["scan"]}
    medians = {
        "median_search_ms": round(statistics.median(r["search_ms"] for r in rows.values()), 1),
        "median_icontains_ms": round(statistics.median(r["icontains_ms"] for r in rows.values()), 1),
    }
    return {**medians, "target_ms": 50, "queries": rows}


if __name__ == "__main__":
    main()
