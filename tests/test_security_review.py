"""Security review: bugs found by probing the backend, each pinned by a test that failed before its fix."""

from __future__ import annotations

import pytest

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
