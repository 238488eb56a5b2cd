from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from core import views as core_views

urlpatterns = [
    path("", include("people.urls")),
    path("places/", include("places.urls")),
    path("points/", include("points.urls")),
    path("p/", include("points.public_urls")),
    path("shop/", include("shop.urls")),
    path("work/", include("work.urls")),
    path("stars/", include("stars.urls")),
    path("grievances/", include("grievances.urls")),
    path("activities/", include("activities.urls")),
    path("notify/", include("notify.urls")),
    path("assessment/", include("assessment.urls")),
    path("board/", include("assessment.public_urls")),
    path("open311/v2/", include("work.open311_urls")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("config.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("admin/", admin.site.urls),
    path("healthz", core_views.healthz, name="healthz"),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
