from django.urls import path

from parcours.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.period_report, name="period"),
    path("report.pdf", views.period_pdf, name="period_pdf"),
    path("report.xlsx", views.period_xlsx, name="period_xlsx"),
    path("prepare/", views.period_generate, name="generate"),
    path("files/<int:file_pk>/", views.report_file, name="file"),
    path("sessions/<int:session_pk>/sheet.pdf", views.session_sheet, name="session_sheet"),
    path("activities/<int:activity_pk>/sheet.pdf", views.blank_sheet, name="blank_sheet"),
]
urlpatterns.append(
    path(
        "households/<int:pk>/summary.pdf",
        views.household_summary,
        name="household_summary",
    )  # fmt: skip
)
