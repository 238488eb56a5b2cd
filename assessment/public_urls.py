"""The public board of the monthly assessment (红黑榜): no login, published months only."""

from django.urls import path

from . import public

app_name = "board"

urlpatterns = [
    path("townships/<int:township_id>/", public.township, name="township"),
    path("villages/<int:village_id>/", public.village, name="village"),
    path("villages/<int:village_id>.pdf", public.village_pdf, name="village_pdf"),
    path("closes/<int:close_id>/", public.close, name="close"),
    path("closes/<int:close_id>.pdf", public.close_pdf, name="close_pdf"),
    path("closes/<int:close_id>.json", public.close_json, name="close_json"),
]
