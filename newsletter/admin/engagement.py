"""Admin screens of readers' engagement: the queue of readers' replies, and the answers to interactive
sections (read-only; the dashboard's bars open it filtered)."""

import django_filters
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import EditView, IndexView
from wagtail.admin.viewsets.model import ModelViewSet

from home.admin.filters import FilterSet

from ..models import ReaderReply, SectionAnswer
from ..selectors import answered_issues, answered_sections, section_titles
from ..services.engagement import reply_set_status


class ReplyEditView(EditView):
    def save_instance(self):
        reply = self.form.save(commit=False)
        return reply_set_status(reply_id=reply.pk, status=reply.status, note=reply.note,
                                acting_user=self.request.user)


class ReaderReplyViewSet(ModelViewSet):
    model = ReaderReply
    icon = "mail"
    menu_label = _("Reader replies")
    menu_order = 200
    inspect_view_enabled = True
    copy_view_enabled = False
    edit_view_class = ReplyEditView
    list_display = ["__str__", "issue", "status", "source", "created_at"]
    list_filter = ["status", "source"]
    search_fields = ["name", "email", "body"]
    form_fields = ["status", "note"]
    inspect_view_fields = ["issue", "name", "email", "person", "source", "status", "body", "note", "handled_by",
                           "created_at", "updated_at"]


reader_reply_viewset = ReaderReplyViewSet("journal_replies")


class SectionAnswerFilterSet(FilterSet):
    """The issue and the section by their titles in the user's language (the dashboard's links give their ids)."""

    issue = django_filters.ChoiceFilter(label=_("Issue"), choices=lambda: answered_issues(language=get_language()))
    block_id = django_filters.ChoiceFilter(label=_("Section"),
                                           choices=lambda: answered_sections(language=get_language()))

    class Meta:
        model = SectionAnswer
        fields = {"choice": ["exact"], "source": ["exact"], "created_at": ["gte", "lt"]}


class SectionAnswerIndexView(IndexView):
    def paginate_queryset(self, queryset, page_size):
        """Each answer on the page gets its issue's and section's names in the user's language."""
        paginator, page, answers, paginated = super().paginate_queryset(queryset, page_size)
        answers = list(answers)
        titles = section_titles(issue_ids={answer.issue_id for answer in answers}, language=get_language())
        for answer in answers:
            title, names = titles.get(answer.issue_id, ("", {}))
            answer.issue_title = title
            answer.section_title = names.get(answer.block_id) or _("a section since removed")
        return paginator, page, answers, paginated


class SectionAnswerViewSet(ModelViewSet):
    """Readers' answers to "was this helpful?" and polls: read-only (readers give them, nobody edits them)."""

    model = SectionAnswer
    icon = "help"
    menu_label = _("Section answers")
    menu_order = 210
    copy_view_enabled = False
    index_view_class = SectionAnswerIndexView
    list_display = [Column("issue_title", label=_("Issue")), Column("section_title", label=_("Section")),
                    "choice", "source", "created_at"]
    filterset_class = SectionAnswerFilterSet
    form_fields = []

    def get_urlpatterns(self):
        return [p for p in super().get_urlpatterns() if p.name in ("index", "index_results")]

    def get_index_view_kwargs(self, **kwargs):
        return {**super().get_index_view_kwargs(**kwargs), "add_url_name": None, "edit_url_name": None,
                "copy_url_name": None, "delete_url_name": None, "inspect_url_name": None}


section_answer_viewset = SectionAnswerViewSet("journal_answers")
