"""Every change is recorded: who, when, which fields, old and new values; shown on record pages,
on /changes/ and in its Atom feed; revertible from the admin."""

from __future__ import annotations

import csv
import io
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from agreements import versioning
from agreements.history import recent_changes, record_history
from agreements.models import Arrangement, ArrangementParty, Claim, EconomyMembership, Source
from agreements.reference import IMPORT_REASON, load_reference
from tests.conftest import REFERENCE_DIR

pytestmark = pytest.mark.django_db

KEY = "CHN-EUU-2014"
EDITOR = "editor-qz"
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def editor() -> User:
    return User.objects.create_superuser(EDITOR, "editor@example.org", "pw")


@pytest.fixture
def staff_client(editor: User) -> Client:
    client = Client(HTTP_HOST="localhost")
    client.force_login(editor)
    return client


def admin_url(view: str, *args: Any) -> str:
    return reverse(f"admin:agreements_arrangement_{view}", args=args)


def arrangement_form(arrangement: Any) -> dict[str, str]:
    """The arrangement's own fields as the admin form posts them."""
    names = [f.attname for f in Arrangement._meta.concrete_fields if f.name != "id"]
    return {
        name: "" if getattr(arrangement, name) is None else str(getattr(arrangement, name)) for name in names
    }


def inline(prefix: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    data: dict[str, Any] = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(len(rows)),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        data.update({f"{prefix}-{index}-{name}": value for name, value in row.items()})
    return data


def edit_in_admin(client: Client, **changes: str) -> Arrangement:
    """Post the arrangement's change form with `changes`, its parties and sources unchanged."""
    arrangement = Arrangement.objects.get(key=KEY)
    page = client.get(admin_url("change", arrangement.pk))
    prefixes = {i.formset.model: i.formset.prefix for i in page.context["inline_admin_formsets"]}
    data: dict[str, Any] = {**arrangement_form(arrangement), **changes}
    parties = [
        {"id": link.pk, "arrangement": arrangement.pk, "economy": link.economy_id}
        for link in ArrangementParty.objects.filter(arrangement=arrangement)
    ]
    sources = [
        {
            "id": s.pk,
            "arrangement": arrangement.pk,
            "position": s.position,
            "url": s.url,
            "citation": s.citation,
        }
        for s in Source.objects.filter(arrangement=arrangement)
    ]
    data.update(inline(prefixes[ArrangementParty], parties))
    data.update(inline(prefixes[Source], sources))
    response = client.post(admin_url("change", arrangement.pk), data)
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    arrangement.refresh_from_db()
    return arrangement


def test_an_admin_edit_records_who_when_and_the_old_and_new_values(
    staff_client: Client, editor: User
) -> None:
    before = Arrangement.objects.get(key=KEY)
    arrangement = edit_in_admin(staff_client, title="Renamed by an editor", notes="Checked.")

    latest = arrangement.history.latest()
    assert latest.history_type == "~"
    assert latest.history_user == editor
    assert latest.title == "Renamed by an editor"
    change = record_history(arrangement)[0]
    assert change.kind == "changed" and change.user == EDITOR and change.at == latest.history_date
    assert {(f.name, f.old, f.new) for f in change.fields} == {
        ("title", before.title, "Renamed by an editor"),
        ("notes", before.notes[:299] + "…", "Checked."),
    }


def test_the_reference_data_load_recorded_every_row_as_created() -> None:
    arrangement = Arrangement.objects.get(key=KEY)
    (created,) = [c for c in record_history(arrangement) if c.model == "arrangement"]
    assert created.kind == "created" and created.reason == IMPORT_REASON and created.user == ""
    assert ("key", "", KEY) in {(f.name, f.old, f.new) for f in created.fields}
    parties = [c.record for c in record_history(arrangement) if c.model == "party"]
    assert sorted(parties) == [f"CHN of {KEY}", f"EUU of {KEY}"]


def test_a_load_with_a_changed_row_records_that_change_only(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(REFERENCE_DIR, data)
    path = data / "arrangements.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows, columns = list(reader), reader.fieldnames or []
    (row,) = [row for row in rows if row["key"] == KEY]
    old_title, row["title"] = row["title"], "Retitled in the reference data"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, columns)
        writer.writeheader()
        writer.writerows(rows)
    counts = {model: model.history.count() for model in versioning.REGISTRY_MODELS}  # type: ignore[attr-defined]

    load_reference(data)

    grown = {
        model: model.history.count() - before  # type: ignore[attr-defined]
        for model, before in counts.items()
        if model.history.count() != before  # type: ignore[attr-defined]
    }
    assert grown == {Arrangement: 1}
    change = record_history(Arrangement.objects.get(key=KEY))[0]
    assert change.kind == "changed" and change.reason == IMPORT_REASON
    assert [(f.name, f.old, f.new) for f in change.fields] == [
        ("title", old_title, "Retitled in the reference data")
    ]


def test_an_unchanged_reload_records_nothing_and_keeps_the_data_version() -> None:
    version = versioning.current_version()
    before = Arrangement.history.count()
    load_reference(REFERENCE_DIR)
    assert Arrangement.history.count() == before
    assert versioning.current_version() == version


def test_a_delete_is_recorded_with_the_old_values(client: Client) -> None:
    membership = EconomyMembership.objects.get(economy_id="EUU", territory_id="FRA")
    membership.delete()

    change = recent_changes(1)[1][0]
    assert (change.kind, change.model, change.record) == ("deleted", "economy membership", "FRA in EUU")
    assert ("territory", "FRA", "") in {(f.name, f.old, f.new) for f in change.fields}
    page = client.get("/economies/EUU/").content.decode()
    assert "FRA in EUU" in page and "deleted" in page


def test_the_record_page_shows_the_change_and_only_staff_see_who(
    client: Client, staff_client: Client
) -> None:
    before = client.get(f"/arrangements/{KEY}/").content.decode()  # cached under the old version
    assert "Renamed by an editor" not in before

    edit_in_admin(staff_client, title="Renamed by an editor")

    staff_page = staff_client.get(f"/arrangements/{KEY}/").content.decode()
    public_page = client.get(f"/arrangements/{KEY}/").content.decode()
    for page in (staff_page, public_page):
        history = page[page.index('id="history-heading"') :]
        assert '<span class="field-name">title</span>' in history
        assert "→ <ins>Renamed by an editor</ins>" in history
    assert EDITOR in staff_page
    assert EDITOR not in public_page  # although the staff page was rendered (and cached) first


def test_staff_revert_a_record_to_a_past_version_from_the_admin(staff_client: Client, editor: User) -> None:
    arrangement = Arrangement.objects.get(key=KEY)
    original = {"title": arrangement.title, "evidence": arrangement.evidence}
    first = arrangement.history.latest()
    arrangement.title = "A wrong title"
    arrangement.evidence = "inferred" if arrangement.evidence != "inferred" else "reported"
    arrangement.save()

    history_page = staff_client.get(admin_url("history", arrangement.pk))
    assert history_page.status_code == 200
    revert_url = admin_url("simple_history", arrangement.pk, first.history_id)
    assert revert_url in history_page.content.decode()
    form = staff_client.get(revert_url)
    assert form.status_code == 200
    response = staff_client.post(revert_url, arrangement_form(first.instance))
    assert response.status_code == 302

    arrangement.refresh_from_db()
    assert {"title": arrangement.title, "evidence": arrangement.evidence} == original
    reverted = arrangement.history.latest()
    assert reverted.history_user == editor
    assert {f.name for f in record_history(arrangement)[0].fields} == {"title", "evidence"}


def test_the_changes_page_lists_recent_changes_newest_first_with_links(client: Client) -> None:
    arrangement = Arrangement.objects.get(key=KEY)
    arrangement.notes = "A note added just now."
    arrangement.save()

    response = client.get("/changes/")
    assert response.status_code == 200
    html = response.content.decode()
    rows = html[html.index("<tbody>") :]
    assert rows.index("A note added just now.") < rows.index("Import")  # newest first
    assert f'href="/arrangements/{KEY}/"' in rows
    assert 'rel="next"' in html  # the reference data alone fills many pages
    assert client.get("/changes/?page=2").status_code == 200
    assert client.get("/changes/?page=zzz").status_code == 200
    assert client.get("/changes/?page=99999").status_code == 200


def test_the_feed_is_valid_atom_and_lists_the_changes(client: Client, staff_client: Client) -> None:
    edit_in_admin(staff_client, title="Renamed for the feed")

    response = client.get("/changes/feed/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    assert feed.tag == f"{ATOM}feed"
    entries = feed.findall(f"{ATOM}entry")
    assert 1 <= len(entries) <= 50
    first = entries[0]
    assert first.findtext(f"{ATOM}title") == f"Arrangement {KEY} changed"
    assert "Renamed for the feed" in (first.findtext(f"{ATOM}summary") or "")
    assert first.find(f"{ATOM}link") is not None and first.findtext(f"{ATOM}updated")
    assert len({e.findtext(f"{ATOM}id") for e in entries}) == len(entries)
    assert EDITOR not in response.content.decode()


def test_writing_history_rows_does_not_bump_the_data_version() -> None:
    version = versioning.current_version()
    arrangement = Arrangement.objects.get(key=KEY)
    Arrangement.history.filter(id=arrangement.pk).update(history_change_reason="x")
    arrangement.history.latest().save()
    assert versioning.current_version() == version
    arrangement.save()  # the record itself does
    assert versioning.current_version() != version


def test_an_admin_csv_import_records_the_editor_and_the_import(staff_client: Client, editor: User) -> None:
    text = (REFERENCE_DIR / "claims.csv").read_text(encoding="utf-8")
    row = next(csv.DictReader(io.StringIO(text)))
    row["note"] = "Re-checked in an import."
    upload = io.StringIO()
    writer = csv.DictWriter(upload, list(row))
    writer.writeheader()
    writer.writerow(row)
    url = reverse("admin:agreements_claim_import")

    preview = staff_client.post(url, {"file": SimpleUploadedFile("claims.csv", upload.getvalue().encode())})
    digest = preview.context["confirm_form"].initial["digest"]
    assert staff_client.post(url, {"digest": digest}).status_code == 302

    claim = Claim.objects.get(key=row["key"], basis=row["basis"], metric=row["metric"])
    latest = claim.history.latest()
    assert (latest.history_type, latest.history_user, latest.history_change_reason) == (
        "~",
        editor,
        IMPORT_REASON,
    )
    assert latest.note == "Re-checked in an import."


def test_an_api_write_records_the_token_user(client: Client, editor: User) -> None:
    token = Token.objects.create(user=editor).key
    response = client.patch(
        f"/api/v1/arrangements/{KEY}/",
        {"title": "Renamed through the API"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token}",
    )
    assert response.status_code == 200, response.content

    latest = Arrangement.objects.get(key=KEY).history.latest()
    assert (latest.history_type, latest.history_user, latest.title) == (
        "~",
        editor,
        "Renamed through the API",
    )


def test_a_long_history_folds_under_a_one_line_summary(client: Client) -> None:
    """Issue 13, item 6: more than three changes fold under "N changes, the latest on ..."."""
    page = client.get("/arrangements/CHN-KOR-2013/").content.decode()
    section = page[page.index('id="history-heading"') :]
    match = re.search(
        r'<details class="history-details"( open)?>\s*<summary>(\d+) changes, the latest on', section
    )
    assert match
    assert (match.group(1) is None) == (int(match.group(2)) > 3)


@pytest.mark.django_db
@pytest.mark.parametrize("limit", [1, 3, 10])
def test_a_record_page_works_out_only_its_newest_changes_and_shows_what_the_whole_list_began_with(
    limit: int,
) -> None:
    """`record_history(limit=n)` reads every version but compares only the newest n: the same
    changes, in the same order, as the first n of the whole list."""
    from django.db.models import Q

    from agreements.history import _changes, _versions, record_history
    from agreements.models import Bloc, BlocMembership

    bloc = Bloc.objects.get(code="BRI")
    for membership in BlocMembership.objects.filter(bloc=bloc)[:4]:
        membership.note = f"edited {membership.pk}"
        membership.save()
    versions = {
        model: _versions(model, q) for model, q in [(Bloc, Q(code="BRI")), (BlocMembership, Q(bloc_id="BRI"))]
    }
    everything = _changes(versions, None)
    assert len(everything) > 10
    assert record_history(bloc, limit=limit) == everything[:limit]
