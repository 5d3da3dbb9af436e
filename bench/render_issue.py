"""Time to render a journal issue to final email HTML, split into its stages. Prints JSON.

    .venv/bin/python bench/render_issue.py [ISSUE] [--lang en] [--runs 20]

Stages: StreamField/Django templates -> MJML text; MJML compile (mjml-python); CSS inlining
(premailer). The baseline, measured in the same run, is premailer alone on the same compiled HTML
(the dominant cost), so the figures compare across noisy machines by ratio.
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")


def main():
    import django

    django.setup()
    import premailer
    from django.conf import settings
    from django.utils import translation
    from mjml import mjml2html

    from newsletter.emails import issue_email_parts
    from newsletter.selectors import issue_get

    parser = argparse.ArgumentParser()
    parser.add_argument("issue", nargs="?", default="latest")
    parser.add_argument("--lang", default=None)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    issue = issue_get(args.issue, language=args.lang)
    if issue is None:
        sys.exit("No such issue: run `manage.py demo_load` first or give a page id")

    stages = {"streamfield_templates": [], "mjml": [], "css_inline": [], "total": []}
    html_size = 0
    for _ in range(args.runs):
        started = time.perf_counter()
        parts = issue_email_parts(issue)  # templates + (MJML + premailer)
        total = time.perf_counter() - started
        # split the second stage by redoing it step by step on the same MJML
        t0 = time.perf_counter()
        compiled = mjml2html(parts["mjml"], fonts={})
        t1 = time.perf_counter()
        premailer.Premailer(compiled, base_url=settings.BASE_URL, strip_important=False, keep_style_tags=True,
                            allow_network=False, allow_loading_external_files=False, disable_validation=True,
                            cssutils_logging_level="CRITICAL").transform()
        t2 = time.perf_counter()
        stages["streamfield_templates"].append(parts["timings"]["templates"])
        stages["mjml"].append(t1 - t0)
        stages["css_inline"].append(t2 - t1)
        stages["total"].append(total)
        html_size = len(parts["html"].encode())
    with translation.override(issue.locale.language_code):
        title = issue.title
    medians = {k: round(statistics.median(v) * 1000, 3) for k, v in stages.items()}
    print(json.dumps({
        "issue": {"id": issue.pk, "title": title, "language": issue.locale.language_code,
                  "sections": len(issue.body), "html_bytes": html_size, "mjml_bytes": len(parts["mjml"].encode())},
        "runs": args.runs,
        "median_ms": medians,
        "share_of_total": {k: round(medians[k] / medians["total"], 3) for k in ("streamfield_templates", "mjml",
                                                                                   "css_inline")},
        "baseline": "css_inline (premailer) on the same HTML, same run",
        "ratio_total_to_baseline": round(medians["total"] / medians["css_inline"], 2),
    }, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
