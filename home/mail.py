"""Django's SMTP backend, with one addition: EMAIL_SSL_CAFILE, the CA of a private relay to trust
(instead of the system's) when verifying its certificate for STARTTLS or SMTPS. Certificates and
host names are always checked (``ssl.create_default_context``)."""

import ssl

from django.conf import settings
from django.core.mail.backends import smtp
from django.utils.functional import cached_property


class EmailBackend(smtp.EmailBackend):
    @cached_property
    def ssl_context(self):
        context = ssl.create_default_context(cafile=getattr(settings, "EMAIL_SSL_CAFILE", "") or None)
        if self.ssl_certfile or self.ssl_keyfile:
            context.load_cert_chain(self.ssl_certfile, self.ssl_keyfile)
        return context
