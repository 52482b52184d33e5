"""An organisation's letterhead: the logo, address and signatory its letters and notices carry.

Only the organisation's admins change it. A logo is read as an image, refused when it is not
one or is too large to decode safely, and re-drawn as a small PNG: nothing of the uploaded
file but its pixels is kept (no metadata, nothing hidden after the image data).
"""

import io
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods
from PIL import Image, UnidentifiedImageError

from audit.log import record

from .models import Letterhead, Organisation
from .views import get_administered

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_PIXELS = 25_000_000  # read from the header before any pixel is decoded
LOGO_BOX = (800, 300)  # the largest a logo is kept: plenty for 2 cm of letterhead at print resolution


def redraw_logo(upload: Any) -> bytes:
    """The uploaded image re-drawn as a PNG no larger than LOGO_BOX, or a ValidationError
    saying in plain words what is wrong."""
    if upload.size > MAX_UPLOAD_BYTES:
        raise forms.ValidationError("The logo must be smaller than 2 MB.")
    try:
        with Image.open(upload) as image:
            if image.format not in {"PNG", "JPEG", "GIF", "WEBP"}:
                raise forms.ValidationError("The logo must be a PNG, JPEG, GIF or WebP image.")
            if image.width * image.height > MAX_PIXELS:
                raise forms.ValidationError("The logo is too large: use an image under 25 megapixels.")
            image.thumbnail(LOGO_BOX)
            out = io.BytesIO()
            image.convert("RGBA").save(out, format="PNG", optimize=True)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as error:
        raise forms.ValidationError("The logo must be a PNG, JPEG, GIF or WebP image.") from error
    return out.getvalue()


class LetterheadForm(forms.ModelForm):
    logo = forms.FileField(
        label="Logo",
        required=False,
        help_text="A PNG, JPEG, GIF or WebP image under 2 MB. It is shown at the top of letters and notices.",
    )
    remove_logo = forms.BooleanField(label="Remove the logo", required=False)

    class Meta:
        model = Letterhead
        fields = ["address", "signatory_name", "signatory_title"]
        labels = {
            "address": "Address",
            "signatory_name": "Name of the person who signs letters",
            "signatory_title": "Their job title",
        }
        widgets = {"address": forms.Textarea(attrs={"rows": 4})}

    def clean_logo(self) -> bytes | None:
        upload = self.cleaned_data.get("logo")
        return redraw_logo(upload) if upload else None


@login_required
@require_http_methods(["GET", "POST"])
def letterhead(request: HttpRequest, org_uuid: Any) -> HttpResponse:
    organisation: Organisation = get_administered(request, org_uuid)
    current = Letterhead.objects.filter(organisation=organisation).first() or Letterhead(organisation=organisation)
    form = LetterheadForm(request.POST or None, request.FILES or None, instance=current)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = form.save(commit=False)
            if form.cleaned_data["logo"]:
                saved.logo_png = form.cleaned_data["logo"]
            elif form.cleaned_data["remove_logo"]:
                saved.logo_png = b""
            saved.save()
            record(
                organisation_id=organisation.pk,
                action="organisation.letterhead_changed",
                actor=request.user,
                target=organisation,
                after={
                    "address": saved.address,
                    "signatory_name": saved.signatory_name,
                    "signatory_title": saved.signatory_title,
                    "logo": bool(saved.logo_png),
                },
            )
        messages.success(request, "Letterhead saved.")
        return redirect("organisations:detail", organisation.uuid)
    return render(
        request,
        "organisations/letterhead.html",
        {"organisation": organisation, "form": form, "has_logo": bool(current.logo_png)},
    )


@login_required
def letterhead_logo(request: HttpRequest, org_uuid: Any) -> HttpResponse:
    organisation = get_administered(request, org_uuid)
    current = Letterhead.objects.filter(organisation=organisation).first()
    if current is None or not current.logo_png:
        raise Http404("No logo")
    response = HttpResponse(bytes(current.logo_png), content_type="image/png")
    response["Cache-Control"] = "no-store"
    return response
