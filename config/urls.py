from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("annotator.urls")),
]

# Under /api/ these answer in JSON; elsewhere they are Django's pages (annotator/api/errors.py).
handler400 = "annotator.api.errors.bad_request"
handler403 = "annotator.api.errors.permission_denied"
handler404 = "annotator.api.errors.page_not_found"
handler500 = "annotator.api.errors.server_error"
