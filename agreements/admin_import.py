"""The admin's "Import CSV": upload a file in the export format, preview every row, confirm.

Staff with add and change permission on the model upload a CSV (UTF-8, at most
`MAX_UPLOAD_BYTES`); the preview lists every row's outcome (new, changed, unchanged, or error with
its line and reason) from a dry run (`agreements.imports`). Only a file with no error can be
confirmed; confirming runs the import again against the current database, in one transaction.

Between preview and confirm the file is kept in the session (stored in the database), never on
the app server's disk: any app server can take the confirm. The confirm form carries the file's
SHA-256, so a confirm applies exactly the file that was previewed.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse

from agreements.imports import import_table
from agreements.tables import IMPORTABLE

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
SESSION_PREFIX = "agreements-import:"


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="UTF-8, at most 5 MB, with a header row naming the columns below.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(
                "The file is %(size)s bytes; at most %(limit)s bytes (5 MB) can be imported at once.",
                code="too_large",
                params={"size": upload.size, "limit": MAX_UPLOAD_BYTES},
            )
        data: bytes = upload.read()
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as error:
            line = data.count(b"\n", 0, error.start) + 1
            raise ValidationError(
                "The file is not UTF-8 (line %(line)s, byte %(byte)s). Save it as “CSV UTF-8” and "
                "upload it again.",
                code="not_utf8",
                params={"line": line, "byte": error.start},
            ) from None
        return data


class ImportConfirmForm(forms.Form):
    digest = forms.CharField(widget=forms.HiddenInput, max_length=64)


class CsvImportMixin(admin.ModelAdmin):
    """Adds "Import CSV" to a changelist; `import_table` names the file format (an importable
    table of `agreements.tables`)."""

    import_table: str = ""
    change_list_template = "admin/agreements/change_list_import.html"

    def get_urls(self) -> list[URLPattern]:
        opts = self.model._meta
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name=f"{opts.app_label}_{opts.model_name}_import",
            ),
            path(
                "import/template/",
                self.admin_site.admin_view(self.template_view),
                name=f"{opts.app_label}_{opts.model_name}_import_template",
            ),
            *super().get_urls(),
        ]

    def has_import_permission(self, request: HttpRequest) -> bool:
        return self.has_add_permission(request) and self.has_change_permission(request)

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        context = {"has_import_permission": self.has_import_permission(request), **(extra_context or {})}
        return super().changelist_view(request, extra_context=context)

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_import_permission(request):
            raise PermissionDenied
        session_key = f"{SESSION_PREFIX}{self.import_table}"
        upload_form = ImportUploadForm()
        if request.method == "POST" and "digest" in request.POST:
            return self._confirm(request, session_key)
        if request.method == "POST":
            upload_form = ImportUploadForm(request.POST, request.FILES)
            if upload_form.is_valid():
                data: bytes = upload_form.cleaned_data["file"]
                result = import_table(self.import_table, data)
                digest = hashlib.sha256(data).hexdigest()
                if result.ok:
                    request.session[session_key] = {"digest": digest, "content": data.decode("utf-8")}
                else:
                    request.session.pop(session_key, None)
                return self._render(
                    request,
                    "admin/agreements/import_preview.html",
                    result=result,
                    filename=getattr(request.FILES.get("file"), "name", ""),
                    confirm_form=ImportConfirmForm(initial={"digest": digest}) if result.ok else None,
                )
        return self._render(request, "admin/agreements/import_form.html", form=upload_form)

    def template_view(self, request: HttpRequest) -> HttpResponse:
        """A blank file to fill in: the header row of the table, nothing else."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        header = ",".join(IMPORTABLE[self.import_table].header) + "\r\n"
        response = HttpResponse(header, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{self.import_table}"'
        return response

    def _confirm(self, request: HttpRequest, session_key: str) -> HttpResponse:
        form = ImportConfirmForm(request.POST)
        stored = request.session.get(session_key)
        if (
            not form.is_valid()
            or not isinstance(stored, dict)
            or not hmac.compare_digest(str(stored.get("digest")), form.cleaned_data["digest"])
        ):
            messages.error(request, "This import expired or another upload replaced it; upload it again.")
            return HttpResponseRedirect(request.path)
        data = str(stored["content"]).encode("utf-8")
        result = import_table(self.import_table, data, commit=True)
        if not result.applied:
            # The database changed since the preview: show what is wrong now.
            request.session.pop(session_key, None)
            return self._render(
                request, "admin/agreements/import_preview.html", result=result, filename="", confirm_form=None
            )
        request.session.pop(session_key, None)
        counts = result.counts
        messages.success(
            request,
            f"Imported {len(result.rows)} row(s): {counts['new']} new, {counts['changed']} changed, "
            f"{counts['unchanged']} unchanged.",
        )
        opts = self.model._meta
        return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))

    def _render(self, request: HttpRequest, template: str, **context: Any) -> HttpResponse:
        opts = self.model._meta
        return TemplateResponse(
            request,
            template,
            {
                **self.admin_site.each_context(request),
                "opts": opts,
                "title": f"Import {opts.verbose_name_plural} from CSV",
                "table": self.import_table,
                "columns": IMPORTABLE[self.import_table].header,
                "max_upload_mb": MAX_UPLOAD_BYTES // (1024 * 1024),
                **context,
            },
        )
