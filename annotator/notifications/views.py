"""The notification list with preferences, and the one-click unsubscribe page."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt

from . import services
from .models import Kind, Notification, Preference


class PreferenceForm(forms.ModelForm):
    muted = forms.MultipleChoiceField(
        choices=Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Do not notify me of"),
    )

    class Meta:
        model = Preference
        fields = ["email", "muted"]


@login_required
def notifications_page(request):
    preference, _created = Preference.objects.get_or_create(user=request.user)
    form = PreferenceForm(instance=preference)
    if request.method == "POST":
        if request.POST.get("action") == "read":
            Notification.objects.filter(recipient=request.user, read_at__isnull=True).update(
                read_at=timezone.now()
            )
            return redirect("notifications")
        form = PreferenceForm(request.POST, instance=preference)
        if form.is_valid():
            form.save()
            messages.success(request, _("Preferences saved."))
            return redirect("notifications")
    rows = Notification.objects.filter(recipient=request.user)[:50]
    return render(request, "annotator/notifications/list.html", {"rows": rows, "form": form})


@csrf_exempt  # the signed token is the credential; mail clients POST without a session
def unsubscribe(request, token: str):
    """GET asks for confirmation; POST (the page's button, or RFC 8058 one-click) unsubscribes."""
    user = services.user_from_token(token)
    if user is None:
        return render(
            request, "annotator/notifications/unsubscribe.html", {"bad": True}, status=400
        )
    done = request.method == "POST"
    if done:
        services.unsubscribe(user)
    return render(
        request, "annotator/notifications/unsubscribe.html", {"done": done, "account": user}
    )


def bell(request) -> dict:
    """Context processor: the unread count for the header's bell (one COUNT per page)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "notification_unread": Notification.objects.filter(
            recipient=user, read_at__isnull=True
        ).count()
    }
