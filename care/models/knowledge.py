"""Knowledge articles care staff emailed to a customer from the call screen or the customer page."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .calls import Call
from .customers import CustomerAccount

__all__ = ["ArticleLinkSent"]


class ArticleLinkSent(models.Model):
    """One knowledge article link emailed to one contact of a customer: who sent which article, when."""

    customer = models.ForeignKey(CustomerAccount, verbose_name=_("customer"), on_delete=models.CASCADE,
                                 related_name="article_links")
    person = models.ForeignKey("home.Person", verbose_name=_("sent to"), on_delete=models.CASCADE, related_name="+")
    call = models.ForeignKey(Call, verbose_name=_("call"), null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="article_links")
    article_ref = models.CharField(_("article"), max_length=40, help_text="newsletter.selectors.knowledge_article_ref")
    title = models.CharField(_("title"), max_length=255)
    url = models.URLField(_("address"), max_length=500)
    language = models.CharField(_("language"), max_length=10)
    message = models.ForeignKey("home.OutboxMessage", verbose_name=_("email"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("sent by"), null=True,
                                on_delete=models.SET_NULL, related_name="+")
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("article link sent")
        verbose_name_plural = _("article links sent")
        ordering = ["-sent_at", "-pk"]

    def __str__(self):
        return self.title
