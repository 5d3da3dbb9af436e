"""Dashboard panels for training coordinators: fill rate and waiting lists, no-shows, certificates."""

from datetime import timedelta

from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from home.dashboard import DashboardPanel, PanelData, bucket_counts
from home.registry import dashboard_panels

from .models import Certificate, ClassSession, Signup, city_in_language


class TrainingPanel(DashboardPanel):
    """Training's panels, shown to whoever may see the classes."""

    permission = "training.view_classsession"


class FillRatePanel(TrainingPanel):
    key = "training-fill"
    title = gettext_lazy("Training: fill rate and waiting list per course and city")
    order = 20

    def get_data(self):
        sessions = ClassSession.objects.filter(starts_at__gte=self.period.start).exclude(
            status=ClassSession.Status.CANCELLED
        )
        capacity = {
            (row["course__title"], row["city"], row["city_en"]): row["seats"]
            for row in sessions.values("course__title", "city", "city_en").annotate(seats=Sum("capacity"))
        }
        signups = (
            Signup.objects.filter(session__in=sessions)
            .values("session__course__title", "session__city", "session__city_en")
            .annotate(
                taken=Count("pk", filter=Q(status__in=Signup.SEAT_STATUSES)),
                waiting=Count("pk", filter=Q(status=Signup.Status.WAITING)),
            )
        )
        taken = {(r["session__course__title"], r["session__city"], r["session__city_en"]): r for r in signups}
        keys = sorted(capacity)
        labels = [f"{course} · {city_in_language(city, city_en)}" for course, city, city_en in keys]
        fill = [round(100 * taken.get(k, {}).get("taken", 0) / capacity[k]) if capacity[k] else 0 for k in keys]
        waiting = [taken.get(k, {}).get("waiting", 0) for k in keys]
        rows = [
            [labels[i], capacity[k], taken.get(k, {}).get("taken", 0), fill[i], waiting[i]] for i, k in enumerate(keys)
        ]
        return PanelData(
            labels=labels,
            series=[(_("Seats filled (%)"), fill), (_("Waiting list"), waiting)],
            columns=[_("Course · city"), _("Seats"), _("Taken"), _("Filled (%)"), _("Waiting list")],
            rows=rows,
        )


class CertificatesPanel(TrainingPanel):
    key = "training-certificates"
    title = gettext_lazy("Training: certificates issued, no-shows and certificates expiring soon")
    order = 21

    def get_data(self):
        issued = bucket_counts(Certificate.objects.all(), "created_at", self.period)
        no_shows = bucket_counts(
            Signup.objects.filter(attended=False), "session__starts_at", self.period
        )
        today = timezone.localdate()
        expiring = Certificate.objects.filter(
            status=Certificate.Status.VALID, expires_on__gte=today, expires_on__lte=today + timedelta(days=60)
        ).count()
        return PanelData(
            labels=self.period.labels,
            series=[(_("Certificates issued"), issued), (_("No-shows"), no_shows)],
            summary=[(_("certificates expiring in the next 60 days"), expiring),
                     (_("no-shows in this period"), sum(no_shows))],
        )


for panel in (FillRatePanel, CertificatesPanel):
    dashboard_panels.register(panel.key, panel)
