from django.contrib.auth import get_user_model, login
from django.http import HttpResponseRedirect
from django.urls import include, path
from django.utils.http import url_has_allowed_host_and_scheme


def login_as(request, username=""):
    user = get_user_model().objects.get(username=username)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    target = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts=None):
        target = "/"
    return HttpResponseRedirect(target)


urlpatterns = [
    path("login-as/<str:username>/", login_as),
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
]
