"""The public corrections pages: the form, its thank-you page, the counts and accepted reports.

None of them is cached by data version: the form carries a CSRF token (a cached copy would hand
one visitor's token to the next), and the counts change with every report while the data version
does not (a report is not registry data; see `agreements.models.corrections`).
"""

from __future__ import annotations

from django import forms
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from agreements import corrections
from agreements.models import CorrectionReport
from agreements.models.corrections import MESSAGE_MAX_LENGTH, ReportStatus
from agreements.validators import no_control_characters

ACCEPTED_SHOWN = 50
RECORD = "record"  # the query parameter naming the record: `kind:key`


class CorrectionForm(forms.Form):
    message = forms.CharField(
        label=_("What is wrong or missing?"),
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        validators=[no_control_characters],
    )
    source_url = forms.URLField(
        label=_("Source URL"),
        max_length=1000,
        assume_scheme="https",
        help_text=_("A page that shows the right fact, preferably the customs administration's own."),
        validators=[no_control_characters],
    )
    contact_email = forms.EmailField(
        label=_("Your email (optional)"),
        required=False,
        help_text=_("Only staff see it, to ask you about the report. It is never published."),
    )
    # The honeypot: hidden from people (CSS, and out of the tab order), filled in by form robots.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )


def _target_or_404(request: HttpRequest) -> corrections.Target | None:
    value = request.GET.get(RECORD, "")
    if not value:
        return None
    target = corrections.find_target(value)
    if target is None:
        raise Http404("No such record.")
    return target


def _thanks_url(target: corrections.Target | None) -> str:
    url = reverse("correction-thanks")
    return f"{url}?{urlencode({RECORD: target.value})}" if target else url


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def correction_new(request: HttpRequest) -> HttpResponse:
    target = _target_or_404(request)
    status = 200
    refused = False
    if request.method == "POST":
        form = CorrectionForm(request.POST)
        if request.POST.get("website"):
            # The honeypot is filled: a robot, thanked like anyone, and nothing is stored.
            return HttpResponseRedirect(_thanks_url(target))
        if form.is_valid():
            try:
                corrections.report_submit(
                    target=target,
                    message=form.cleaned_data["message"],
                    source_url=form.cleaned_data["source_url"],
                    contact_email=form.cleaned_data["contact_email"],
                    address=corrections.client_address(request),
                )
            except corrections.RateLimited:
                status, refused = 429, True
            else:
                return HttpResponseRedirect(_thanks_url(target))
        else:
            status = 400
    else:
        form = CorrectionForm()
    response = render(
        request,
        "agreements/correction_form.html",
        {
            "form": form,
            "target": target,
            "refused": refused,
            "limit": corrections.RATE_LIMIT,
            "counts": corrections.report_counts(),
        },
        status=status,
    )
    if refused:
        response["Retry-After"] = str(int(corrections.RATE_WINDOW.total_seconds()))
    return response


@never_cache
@require_GET
def correction_thanks(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "agreements/correction_thanks.html",
        {
            "target": corrections.find_target(request.GET.get(RECORD, "")),
            "counts": corrections.report_counts(),
        },
    )


@never_cache
@require_GET
def correction_list(request: HttpRequest) -> HttpResponse:
    accepted = CorrectionReport.objects.filter(status=ReportStatus.ACCEPTED).order_by("-handled_at", "-pk")
    return render(
        request,
        "agreements/correction_list.html",
        {
            "counts": corrections.report_counts(),
            "accepted": accepted.only("pk", "record_kind", "record_key", "handled_at")[:ACCEPTED_SHOWN],
        },
    )


@never_cache
@require_GET
def correction_detail(request: HttpRequest, number: int) -> HttpResponse:
    """An accepted report, as the History of the record it corrected links to it: what was
    reported and its source, never who reported it. Open and rejected reports are not shown."""
    report = get_object_or_404(
        CorrectionReport.objects.only(
            "pk", "reported_at", "record_kind", "record_key", "message", "source_url", "status", "handled_at"
        ),
        pk=number,
        status=ReportStatus.ACCEPTED,
    )
    return render(
        request,
        "agreements/correction_detail.html",
        {"report": report, "target": corrections.target_of(report)},
    )
