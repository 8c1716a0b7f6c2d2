"""Security review: bugs found by probing the backend, each pinned by a test that failed before its fix."""

from __future__ import annotations

import io
import time
import zipfile

import pytest

from tests.test_admin_ita import upload
from tests.web import logged_in

HUGE = "99999999999999999999999"


@pytest.mark.parametrize(
    "path",
    [
        f"/admin/cases/{HUGE}",
        f"/admin/cases/1/photos/{HUGE}",
        f"/admin/inbox/{HUGE}",
        f"/admin/inbox/{HUGE}/messages",
        f"/admin/exports/{HUGE}/status",
        f"/admin/exports/{HUGE}/download",
        f"/admin/ita/agencies/{HUGE}",
        f"/admin/ita/measures/{HUGE}",
        f"/admin/users/{HUGE}",
        "/admin/cases/2147483648",
    ],
)
def test_an_id_too_long_for_the_database_is_a_404_not_a_500(demo, client, path):
    logged_in(demo, client, username="root", role="admin")
    assert client.get(path).status_code == 404


def test_a_period_with_a_huge_year_is_ignored_not_a_500(demo, client):
    logged_in(demo, client, username="root", role="admin")
    assert client.get("/admin/cases", query_string={"period": HUGE}).status_code == 200
    assert client.get("/admin/cases", query_string={"period": HUGE + "-Q1"}).status_code == 200


# --- XLSX import: a few hundred bytes must not stand for millions of cells ---------------------------------


def sparse_xlsx(dimension: str, last_cell: str, last_row: int, sheet: str = "measures") -> bytes:
    """A workbook of two cells whose <dimension> (or whose last cell) claims a huge sheet."""
    ns = "http://schemas.openxmlformats.org"
    rel = f"{ns}/officeDocument/2006/relationships"
    cell = '<c r="{}" t="inlineStr"><is><t>{}</t></is></c>'
    parts = {
        "[Content_Types].xml": f'<Types xmlns="{ns}/package/2006/content-types">'
        f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        "_rels/.rels": f'<Relationships xmlns="{ns}/package/2006/relationships"><Relationship Id="rId1" '
        f'Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{ns}/spreadsheetml/2006/main" xmlns:r="{rel}"><sheets>'
        f'<sheet name="{sheet}" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{ns}/package/2006/relationships"><Relationship '
        f'Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{ns}/spreadsheetml/2006/main"><dimension ref="{dimension}"/>'
        f'<sheetData><row r="1">{cell.format("A1", "agency")}</row>'
        f'<row r="{last_row}">{cell.format(last_cell, "x")}</row></sheetData></worksheet>',
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, xml in parts.items():
            archive.writestr(name, xml)
    return out.getvalue()


def test_an_xlsx_whose_dimension_claims_16384_columns_is_read_in_moments(demo, client):
    logged_in(demo, client, username="boss", role="admin", agencies=["nammong"])
    bomb = sparse_xlsx("A1:XFD30000", "XFD30000", 30000)
    assert len(bomb) < 2000
    started = time.monotonic()
    response = upload(client, (bomb, "measures.xlsx"))
    assert time.monotonic() - started < 8  # 30,000 rows padded to 16,384 columns took about 40 s
    assert response.status_code == 422


def test_an_xlsx_of_a_million_rows_is_refused_by_name(demo, client):
    logged_in(demo, client, username="boss", role="admin", agencies=["nammong"])
    response = upload(client, (sparse_xlsx("A1:A1048576", "A1048576", 1048576), "measures.xlsx"))
    assert response.status_code == 422
    assert "มีเกิน 50,000 แถว" in response.get_data(as_text=True)


def test_a_csv_of_too_many_rows_is_refused_by_name(demo, client):
    logged_in(demo, client, username="boss", role="admin", agencies=["nammong"])
    response = upload(client, (b"agency,fiscal_year,code,title\n" + b"\n" * 60_000, "measures.csv"))
    assert response.status_code == 422
    assert "มีเกิน 50,000 แถว" in response.get_data(as_text=True)
