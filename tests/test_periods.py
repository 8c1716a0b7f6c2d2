"""Fiscal periods: keys, their bounds in Bangkok time, and the periods of a year."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from models.periods import BANGKOK, fiscal_year, period_bounds, period_key, periods_of, split_period


def bkk(*parts) -> datetime:
    return datetime(*parts, tzinfo=BANGKOK)


@pytest.mark.parametrize(
    ("key", "start", "end"),
    [
        ("2569", bkk(2025, 10, 1), bkk(2026, 10, 1)),
        ("2569-H1", bkk(2025, 10, 1), bkk(2026, 4, 1)),
        ("2569-H2", bkk(2026, 4, 1), bkk(2026, 10, 1)),
        ("2569-Q2", bkk(2026, 1, 1), bkk(2026, 4, 1)),
        ("2569-M03", bkk(2025, 12, 1), bkk(2026, 1, 1)),
        ("2569-M12", bkk(2026, 9, 1), bkk(2026, 10, 1)),
    ],
)
def test_period_bounds(key, start, end):
    assert period_bounds(key) == (start, end)


@pytest.mark.parametrize("kind", ["fiscal_year", "half", "quarter", "month"])
def test_every_period_of_a_year_tiles_it_and_holds_its_own_moments(kind):
    keys = periods_of(2569, kind)
    bounds = [period_bounds(key) for key in keys]
    assert bounds[0][0] == bkk(2025, 10, 1) and bounds[-1][1] == bkk(2026, 10, 1)
    assert all(a[1] == b[0] for a, b in zip(bounds, bounds[1:], strict=False))
    for key, (start, end) in zip(keys, bounds, strict=True):
        assert period_key(start, kind) == key
        assert period_key(end - timedelta(seconds=1), kind) == key  # the last second is still in it
        assert fiscal_year(start) == 2569 and split_period(key)[0] == 2569


@pytest.mark.parametrize("key", ["", "x", "2569-H3", "2569-Q0", "2569-Q", "2569-M13", "25x9"])
def test_a_key_that_names_no_period_is_refused(key):
    with pytest.raises(ValueError, match="not a period"):
        period_bounds(key)
