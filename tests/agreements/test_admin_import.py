"""The admin's "Import CSV": upload, preview every row's outcome, confirm; errors apply nothing."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Model
from django.test import Client
from django.urls import reverse

from agreements import admin_import, versioning
from agreements.models import Arrangement, Bloc, BlocMembership, Claim, EconomyMembership
from agreements.reference import COLUMNS
from tests.agreements.test_imports import csv_bytes, fingerprint, valid_row

pytestmark = pytest.mark.django_db

IMPORTABLE: list[tuple[type[Model], str]] = [
    (Arrangement, "arrangements.csv"),
    (EconomyMembership, "economy_members.csv"),
    (Bloc, "blocs.csv"),
    (BlocMembership, "bloc_members.csv"),
    (Claim, "claims.csv"),
]


def url(model: type[Model], view: str) -> str:
    return reverse(f"admin:agreements_{model._meta.model_name}_{view}")


def upload(client: Client, model: type[Model], content: bytes, name: str = "import.csv") -> Any:
    return client.post(url(model, "import"), {"file": SimpleUploadedFile(name, content, "text/csv")})


def digest_of(response: Any) -> str:
    match = re.search(r'name="digest" value="([0-9a-f]{64})"', response.content.decode())
    assert match, "the preview has no confirm form"
    return match[1]


@pytest.mark.parametrize(("model", "table"), IMPORTABLE)
def test_every_importable_changelist_links_to_its_import_page(
    admin_client: Client, model: type[Model], table: str
) -> None:
    changelist = admin_client.get(url(model, "changelist"))
    assert f'href="{url(model, "import")}"' in changelist.content.decode()
    page = admin_client.get(url(model, "import"))
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.content.decode()
    for column in COLUMNS[table]:
        assert f"<code>{column}</code>" in page.content.decode()


def test_upload_previews_outcomes_then_confirm_applies_them_in_one_bump(admin_client: Client) -> None:
    header = list(COLUMNS["claims.csv"])
    first = upload(admin_client, Claim, csv_bytes(header, [valid_row("claims.csv", 1)]))
    admin_client.post(url(Claim, "import"), {"digest": digest_of(first)})  # qimp-1 now saved
    version = int(versioning.current_version())

    rows = [valid_row("claims.csv", 1), valid_row("claims.csv", 2), valid_row("claims.csv", 3)]
    rows[0] = rows[0] | {"value": "99"}
    preview = upload(admin_client, Claim, csv_bytes(header, rows))
    html = preview.content.decode()
    assert preview.status_code == 200
    assert "<li>New: 2</li>" in html and "<li>Changed: 1</li>" in html and "<li>Errors: 0</li>" in html
    assert Claim.objects.get(key="qimp-1").value == 1  # the preview saved nothing
    assert not Claim.objects.filter(key="qimp-2").exists()
    assert int(versioning.current_version()) == version

    confirmed = admin_client.post(url(Claim, "import"), {"digest": digest_of(preview)})
    assert confirmed.status_code == 302 and confirmed["Location"] == url(Claim, "changelist")
    assert Claim.objects.get(key="qimp-1").value == 99
    assert set(Claim.objects.filter(key__startswith="qimp-").values_list("key", flat=True)) == {
        "qimp-1",
        "qimp-2",
        "qimp-3",
    }
    assert int(versioning.current_version()) == version + 1
    # The stored upload is gone: confirming twice applies nothing more.
    again = admin_client.post(url(Claim, "import"), {"digest": digest_of(preview)}, follow=True)
    assert "expired" in again.content.decode()


def test_an_error_row_is_shown_with_its_line_and_cannot_be_confirmed(admin_client: Client) -> None:
    before = fingerprint()
    rows = [
        valid_row("arrangements.csv", 1),
        valid_row("arrangements.csv", 2) | {"signed_date": "2021-02-30"},
    ]
    preview = upload(admin_client, Arrangement, csv_bytes(list(COLUMNS["arrangements.csv"]), rows))
    html = preview.content.decode()
    assert preview.status_code == 200
    assert 'role="alert"' in html and "nothing was imported" in html
    assert re.search(r"<td>3</td>\s*<td>QIMP-2</td>\s*<td><strong>error</strong></td>", html)
    assert "signed_date &#x27;2021-02-30&#x27; is not a real date" in html
    assert 'name="digest"' not in html
    # A forged confirm has nothing stored to apply.
    forged = admin_client.post(url(Arrangement, "import"), {"digest": "0" * 64})
    assert forged.status_code == 302
    assert fingerprint() == before


def test_a_formula_cell_is_refused_with_its_line(admin_client: Client) -> None:
    row = valid_row("blocs.csv", 1) | {"definition": "=cmd|' /C calc'!A0"}
    preview = upload(admin_client, Bloc, csv_bytes(list(COLUMNS["blocs.csv"]), [row]))
    html = preview.content.decode()
    assert "<td>2</td>" in html and "runs as a formula" in html
    assert not Bloc.objects.filter(code="QB1").exists()


def test_a_file_that_is_not_utf8_gets_a_clear_error(admin_client: Client) -> None:
    content = "code,name,definition,source\nQB1,Côte d'Ivoire bloc,,\n".encode("latin-1")
    response = upload(admin_client, Bloc, content)
    assert response.status_code == 200
    assert "The file is not UTF-8 (line 2" in response.content.decode()
    assert not Bloc.objects.filter(code="QB1").exists()


def test_a_file_over_the_size_limit_is_refused(admin_client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(admin_import, "MAX_UPLOAD_BYTES", 100)
    content = csv_bytes(list(COLUMNS["blocs.csv"]), [valid_row("blocs.csv", i) for i in range(10)])
    response = upload(admin_client, Bloc, content)
    assert "at most 100 bytes" in response.content.decode()
    assert not Bloc.objects.filter(code="QB1").exists()


def test_the_import_needs_staff_with_add_and_change_permission(client: Client) -> None:
    assert client.get(url(Bloc, "import")).status_code == 302  # to the login page
    staff = User.objects.create_user("editor", password="pw", is_staff=True)
    client.force_login(staff)
    assert client.get(url(Bloc, "import")).status_code == 403
    staff.user_permissions.add(*Permission.objects.filter(codename__in=["add_bloc", "change_bloc"]))
    staff = User.objects.get(pk=staff.pk)
    client.force_login(staff)
    assert client.get(url(Bloc, "import")).status_code == 200


def test_the_upload_needs_a_csrf_token(admin_user: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    content = csv_bytes(list(COLUMNS["blocs.csv"]), [valid_row("blocs.csv", 1)])
    response = client.post(url(Bloc, "import"), {"file": SimpleUploadedFile("b.csv", content)})
    assert response.status_code == 403


# Entry without friction (issue 14, item 9)


@pytest.mark.parametrize(("model", "table"), IMPORTABLE)
def test_each_import_page_offers_a_blank_template(
    admin_client: Client, model: type[Model], table: str
) -> None:
    template_url = url(model, "import_template")
    assert f'href="{template_url}"' in admin_client.get(url(model, "import")).content.decode()
    response = admin_client.get(template_url)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert f'filename="{table}"' in response["Content-Disposition"]
    assert response.content.decode("utf-8") == ",".join(COLUMNS[table]) + "\r\n"
    # The template imports as an empty file: nothing to do, no error.
    preview = upload(admin_client, model, response.content)
    assert "<li>Errors: 0</li>" in preview.content.decode()


def test_the_preview_shows_each_changed_field_with_its_old_and_new_value(admin_client: Client) -> None:
    header = list(COLUMNS["arrangements.csv"])
    first = upload(admin_client, Arrangement, csv_bytes(header, [valid_row("arrangements.csv", 7)]))
    admin_client.post(url(Arrangement, "import"), {"digest": digest_of(first)})
    row = valid_row("arrangements.csv", 7) | {
        "title": "Renamed <b>arrangement</b>",
        "sources": "https://example.org/7 ; A citation 7 ; https://example.org/new",
    }
    html = upload(admin_client, Arrangement, csv_bytes(header, [row])).content.decode()
    assert "<li>Changed: 1</li>" in html
    assert re.search(r"title</code>: Imported arrangement 7 → Renamed &lt;b&gt;arrangement&lt;/b&gt;", html)
    assert (
        "sources</code>: https://example.org/7 ; A citation 7 → "
        "https://example.org/7 ; A citation 7 ; https://example.org/new"
    ) in html
    assert "signed_date</code>" not in html  # an unchanged field is not listed


def test_reimporting_an_unchanged_arrangement_leaves_its_sources_and_their_history(
    admin_client: Client,
) -> None:
    from agreements.models import Source

    header = list(COLUMNS["arrangements.csv"])
    data = csv_bytes(header, [valid_row("arrangements.csv", 8)])
    admin_client.post(
        url(Arrangement, "import"), {"digest": digest_of(upload(admin_client, Arrangement, data))}
    )
    arrangement = Arrangement.objects.get(key="QIMP-8")
    sources = list(arrangement.sources.values_list("pk", "url", "citation"))
    history = (arrangement.history.count(), Source.history.filter(arrangement_id=arrangement.pk).count())
    preview = upload(admin_client, Arrangement, data)
    assert "<li>Unchanged: 1</li>" in preview.content.decode()
    admin_client.post(url(Arrangement, "import"), {"digest": digest_of(preview)})
    assert list(arrangement.sources.values_list("pk", "url", "citation")) == sources
    assert (
        arrangement.history.count(),
        Source.history.filter(arrangement_id=arrangement.pk).count(),
    ) == history
