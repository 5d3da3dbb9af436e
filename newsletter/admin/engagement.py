"""Admin screens of readers' engagement: the queue of readers' replies."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.views.generic import EditView
from wagtail.admin.viewsets.model import ModelViewSet

from ..models import ReaderReply
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
