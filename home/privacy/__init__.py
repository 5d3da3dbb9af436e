"""Personal data: the registry each app declares its models in (``registry``), finding and exporting
everything about a person (``export``), erasing it (``erasure``) and the retention periods
(``retention``). Import the module you need; this package re-exports nothing.

Below: what the shared base itself holds, declared like any app's ``privacy.py`` (autodiscovery
imports ``home.privacy``, this package).
"""

from axes.models import AccessAttempt, AccessFailureLog
from axes.models import AccessLog as SignInLog
from django.db.models import Q

from home.models import (
    AccessLog,
    Consent,
    CustomerSignin,
    Organisation,
    OutboxMessage,
    Person,
    ProductLine,
    RightsRequest,
    ServiceSettings,
)
from home.privacy import registry
from home.privacy.erasure import person_erase, rights_archives_delete

registry.register(Person, fields=["name", "email", "mobile"], person="self", erase=person_erase,
                  note=registry.NOTE_PERSON)
registry.register(Consent, fields=["text"], person="person", erase="keep",
                  note=registry.NOTE_LEDGER)
registry.register(OutboxMessage, fields=["to_email", "subject", "text", "html", "attachments"], person="person",
                  match={"email": "to_email"}, erase="delete",
                  retention=[registry.Retention("sent_emails_days", field="created_at",
                                                filter=Q(state__in=[OutboxMessage.State.SENT,
                                                                    OutboxMessage.State.FAILED]))])
registry.register(AccessLog, fields=["path"], person="person", erase="keep",
                  note=registry.NOTE_SECURITY_LOG,
                  retention=[registry.Retention("access_log_days", field="created_at")])
registry.register(RightsRequest, fields=["email", "mobile", "details"], match={"email": "email", "mobile": "mobile"},
                  erase="keep", note=registry.NOTE_REQUEST_RECORD,
                  retention=[registry.Retention("rights_archive_days", field="handled_at", filter=~Q(archive=""),
                                                action=rights_archives_delete),
                             registry.Retention("rights_requests_days", field="created_at")])
registry.register(CustomerSignin, fields=["channel", "created_at", "used_at"], person="person", erase="delete")
# Failed sign-ins to staff accounts, counted by django-axes for the lockout.
registry.register(AccessAttempt, fields=["username", "ip_address", "user_agent"], erase="keep",
                  retention=[registry.Retention("login_attempts_days", field="attempt_time")])
registry.register(AccessFailureLog, fields=["username", "ip_address", "user_agent"], erase="keep",
                  retention=[registry.Retention("login_attempts_days", field="attempt_time")])
registry.register(SignInLog, fields=["username", "ip_address", "user_agent"], erase="keep",
                  retention=[registry.Retention("login_attempts_days", field="attempt_time")])
registry.exempt(Organisation, "customer companies' names, not people")
registry.exempt(ProductLine, "names of product lines")
registry.exempt(ServiceSettings, "the service team's own hotline and mailbox")
