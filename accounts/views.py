"""A person's own account page: their name, and the way to each of their settings (email,
password, two-step verification, notifications) in the house style."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from .models import User


class NameForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["full_name"]
        labels = {"full_name": "Your name"}
        help_texts = {"full_name": "As colleagues know you. It is shown on the incidents you handle."}
        error_messages = {"full_name": {"required": "Enter your name"}}

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["full_name"].required = True


@login_required
@require_http_methods(["GET", "POST"])
def account(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    form = NameForm(request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your name is saved.")
        return redirect("account")
    from allauth.mfa.models import Authenticator

    two_step = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    return render(request, "account/overview.html", {"form": form, "two_step": two_step})
