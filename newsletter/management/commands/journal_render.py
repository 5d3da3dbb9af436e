from django.core.management.base import BaseCommand, CommandError

from newsletter.emails import issue_email, issue_email_sample
from newsletter.selectors import issue_get


class Command(BaseCommand):
    help = (
        "Write a journal issue's email as it would be sent (HTML, or the plain-text part with --text) to "
        "standard output. ISSUE is a page id, a slug or 'latest'. Reader fields are filled with sample "
        "values unless --tokens is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("issue", help="page id, slug or 'latest'")
        parser.add_argument("--text", action="store_true", help="write the plain-text part")
        parser.add_argument("--lang", choices=["zh-hans", "en"], default=None, help="language of the issue")
        parser.add_argument("--subject", action="store_true", help="write the subject only")
        parser.add_argument("--tokens", action="store_true", help="leave the per-reader {{tokens}} in")

    def handle(self, *args, issue, text, lang, subject, tokens, **options):
        page = issue_get(issue, language=lang)
        if page is None:
            raise CommandError(f"No issue found for {issue!r}" + (f" in {lang}" if lang else ""))
        subject_line, html, text_part = (issue_email if tokens else issue_email_sample)(page)
        output = subject_line if subject else text_part if text else html
        self.stdout.ending = ""
        self.stdout.write(output if output.endswith("\n") else output + "\n")
