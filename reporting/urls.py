"""URL patterns of the reporting app, mounted by peernet/urls.py."""

import datetime as dt

from django.urls import URLPattern, path, register_converter

from peernet.calendar import month_start
from reporting import national_views, return_views, scenario_views, views


class ReturnMonthConverter:
    """A return's month in URLs, YYYY-MM (a date, the 1st, in the view)."""

    regex = r"[0-9]{4}-[0-9]{2}"

    def to_python(self, value: str) -> dt.date:
        return month_start(value)  # ValueError: no match, so a 404

    def to_url(self, value: dt.date | str) -> str:
        return value if isinstance(value, str) else f"{value:%Y-%m}"


register_converter(ReturnMonthConverter, "return_month")

hub_urlpatterns: list[URLPattern] = [
    path("", views.hub_dashboard, name="home"),
    path("to-do/", views.hub_todo, name="todo"),
    path("calendar/", views.hub_calendar, name="calendar"),
    path("scenario/", scenario_views.hub_upload, name="scenario"),
    # Monthly returns (docs/returns.md "Submission")
    path("returns/", return_views.return_list, name="returns"),
    path("returns/<return_month:month>/", return_views.return_detail, name="return"),
    path(
        "returns/<return_month:month>/compile/",
        return_views.return_compile,
        name="return-compile",
    ),
    path(
        "returns/<return_month:month>/versions/<int:version>/",
        return_views.return_version,
        name="return-version",
    ),
    path(
        "returns/<return_month:month>/compare/",
        return_views.return_compare,
        name="return-compare",
    ),
    path(
        "returns/<return_month:month>/figures/<slug:figure>/",
        return_views.return_figure,
        name="return-figure",
    ),
    path(
        "returns/<return_month:month>/download/",
        return_views.return_download,
        name="return-download",
    ),
    path(
        "returns/<return_month:month>/download/<int:pk>/",
        return_views.return_export,
        name="return-export",
    ),
    path(
        "returns/<return_month:month>/download/<int:pk>/file/",
        return_views.return_export_file,
        name="return-export-file",
    ),
]

# The national area for the coordinator, BEIS and the evaluator, /national/...
# (namespace `national`).
national_urlpatterns: list = [
    path("", national_views.home, name="home"),
    path("timeliness/", national_views.timeliness, name="timeliness"),
    path("charts/<slug:chart>.csv", national_views.chart_csv, name="chart-csv"),
    path("cluster/<slug:cluster>/", national_views.cluster, name="cluster"),
    path("hub/<slug:hub>/", national_views.hub, name="hub"),
    path("exports/", national_views.export_list, name="exports"),
    path("exports/new/", national_views.export_new, name="export-new"),
    path("exports/<int:pk>/", national_views.export, name="export"),
    path("exports/<int:pk>/download/", national_views.export_download, name="export-download"),
    path("instruments/", national_views.instruments, name="instruments"),
    path("scenario/", scenario_views.national_upload, name="scenario"),
    path("instruments/<slug:kind>/new/", national_views.instrument_new, name="instrument-new"),
    path("follow-up/", national_views.follow_up, name="follow-up"),
    path("follow-up/send/", national_views.follow_up_send, name="follow-up-send"),
]
