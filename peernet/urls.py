from django.contrib import admin
from django.urls import path

from peernet import views
from reporting import views as reporting_views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("health/", views.health, name="health"),
    path("scenario/schema.json", reporting_views.scenario_schema, name="scenario-schema"),
    path("admin/", admin.site.urls),
]
