"""Public pages of household points (no login): publications and card verification.

`card` is the exception: the printable points card is for officials (login and scope).
"""

from django.urls import path

from . import public

app_name = "public"

urlpatterns = [
    path("villages/<int:village_id>/", public.village, name="village"),
    path("villages/<int:village_id>/chain.json", public.chain, name="chain"),
    path("publications/<int:publication_id>/", public.publication, name="publication"),
    path("publications/<int:publication_id>.pdf", public.publication_pdf, name="publication_pdf"),
    path("card/<int:household_id>.pdf", public.card, name="card"),
    path("verify/<str:token>/", public.verify, name="verify"),
]
