"""Dashboard panels for training coordinators: the next classes' fill and waiting lists, fill rate per
course and city, certificates and no-shows. Bars link to the sign-ups or certificates behind them."""

from datetime import timedelta

from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from home.dashboard import (
    PERCENT,
    DashboardPanel,
    Figure,
    PanelData,
    Series,
    bucket_counts,
    change_text,
    list_url,
    range_params,
)
from home.registry import dashboard_panels

from .models import Certificate, ClassSession, Signup, city_in_language
from .selectors import course_titles

SEATS = ",".join(Signup.SEAT_STATUSES)


class TrainingPanel(DashboardPanel):
    """Training's panels, shown to whoever may see the classes."""

    permission = "training.view_classsession"


class NextClassesPanel(TrainingPanel):
    key = "training-next"
    title = gettext_lazy("Next classes: seats taken and waiting lists")
    order = 19
    over_time = False
    shown = 8

    def get_data(self):
        sessions = list(
            ClassSession.objects.filter(starts_at__gte=timezone.now())
            .exclude(status=ClassSession.Status.CANCELLED)
            .annotate(taken=Count("signups", filter=Q(signups__status__in=Signup.SEAT_STATUSES)),
                      waiting=Count("signups", filter=Q(signups__status=Signup.Status.WAITING)))
            .order_by("starts_at", "pk")[: self.shown]
        )
        titles = course_titles(course_ids=[s.course_id for s in sessions], language=get_language())
        labels = [f"{timezone.localtime(s.starts_at):%m-%d} {titles[s.course_id]} · {s.city_name}" for s in sessions]
        signups = "training_signups:index"
        taken = Series(_("Seats taken"), [s.taken for s in sessions],
                       links=[list_url(signups, session=s.pk, status__in=SEATS) for s in sessions])
        waiting = Series(_("Waiting list"), [s.waiting for s in sessions],
                         links=[list_url(signups, session=s.pk, status=Signup.Status.WAITING) for s in sessions])
        seats = sum(s.capacity for s in sessions)
        rows = [[labels[i], s.capacity, taken.values[i], waiting.values[i]] for i, s in enumerate(sessions)]
        full = sum(1 for s in sessions if s.taken >= s.capacity)
        return PanelData(
            labels=labels, series=[taken, waiting],
            columns=[_("Class"), _("Seats"), _("Seats taken"), _("Waiting list")], rows=rows,
            summary=[Figure(_("seats taken in the next classes"), f"{sum(taken.values)}/{seats}"),
                     Figure(_("people on waiting lists"), sum(waiting.values)),
                     Figure(_("classes full"), full)],
            comparison=_("The next %(n)s classes: %(full)s full, %(waiting)s people waiting.") % {
                "n": len(sessions), "full": full, "waiting": sum(waiting.values)},
        )


class FillRatePanel(TrainingPanel):
    key = "training-fill"
    title = gettext_lazy("Training: fill rate and waiting list per course and city")
    order = 20
    over_time = False

    def get_data(self):
        sessions = ClassSession.objects.filter(starts_at__gte=self.period.start, starts_at__lte=self.period.end).exclude(
            status=ClassSession.Status.CANCELLED
        )
        capacity = {
            (row["course_id"], row["course__title"], row["city"]): row["seats"]
            for row in sessions.values("course_id", "course__title", "city").annotate(seats=Sum("capacity"))
        }
        signups = (
            Signup.objects.filter(session__in=sessions)
            .values("session__course_id", "session__course__title", "session__city")
            .annotate(
                taken=Count("pk", filter=Q(status__in=Signup.SEAT_STATUSES)),
                waiting=Count("pk", filter=Q(status=Signup.Status.WAITING)),
            )
        )
        taken = {(r["session__course_id"], r["session__course__title"], r["session__city"]): r for r in signups}
        titles = course_titles(course_ids=[pk for pk, _title, _city in capacity], language=get_language())
        keys = sorted(capacity, key=lambda k: (titles[k[0]], k[2]))
        english = dict(sessions.values_list("city", "city_en").distinct())
        labels = [f"{titles[pk]} · {city_in_language(city, english.get(city, ''))}" for pk, _title, city in keys]
        fill = [round(100 * taken.get(k, {}).get("taken", 0) / capacity[k]) if capacity[k] else None for k in keys]
        waiting = [taken.get(k, {}).get("waiting", 0) for k in keys]
        window = range_params("session__starts_at", self.period.start, self.period.ranges[-1][1])

        def links(**params):
            return [list_url("training_signups:index", session__course=pk, session__city=city, **window, **params)
                    for pk, _title, city in keys]

        rows = [
            [labels[i], capacity[k], taken.get(k, {}).get("taken", 0), fill[i], waiting[i]] for i, k in enumerate(keys)
        ]
        seats, filled = sum(capacity.values()), sum(r[2] for r in rows)
        before = self.period.previous()
        previous = Signup.objects.filter(
            session__starts_at__gte=before.start, session__starts_at__lt=self.period.start,
            status__in=Signup.SEAT_STATUSES).exclude(session__status=ClassSession.Status.CANCELLED).count()
        return PanelData(
            labels=labels,
            series=[Series(_("Seats filled (%)"), fill, unit=PERCENT, links=links(status__in=SEATS)),
                    Series(_("Waiting list"), waiting, links=links(status=Signup.Status.WAITING))],
            columns=[_("Course · city"), _("Seats"), _("Taken"), _("Filled (%)"), _("Waiting list")],
            rows=rows,
            summary=[Figure(_("seats filled in this period"), f"{filled}/{seats}")],
            comparison=change_text(_("Seats taken"), filled, previous, self.period.key),
        )


class CertificatesPanel(TrainingPanel):
    key = "training-certificates"
    title = gettext_lazy("Training: certificates issued, no-shows and certificates expiring soon")
    order = 21

    def get_data(self):
        issued = Series(_("Certificates issued"), bucket_counts(Certificate.objects.all(), "created_at", self.period),
                        links=self.links("training_certificates:index", "created_at"))
        if not self.detailed:  # the comparison is of the first series
            return PanelData(labels=self.period.labels, series=[issued])
        no_shows = bucket_counts(Signup.objects.filter(attended=False), "session__starts_at", self.period)
        today = timezone.localdate()
        expiring = Certificate.objects.filter(
            status=Certificate.Status.VALID, expires_on__gte=today, expires_on__lte=today + timedelta(days=60)
        ).count()
        return PanelData(
            labels=self.period.labels,
            series=[
                issued,
                Series(_("No-shows"), no_shows,
                       links=self.links("training_signups:index", "session__starts_at", attended="false")),
            ],
            summary=[Figure(_("certificates expiring in the next 60 days"), expiring),
                     Figure(_("no-shows in this period"), sum(no_shows))],
        )


for panel in (NextClassesPanel, FillRatePanel, CertificatesPanel):
    dashboard_panels.register(panel.key, panel)
