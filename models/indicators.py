"""The ten ITA indicators and three tools: reference data fixed by the NACC's method."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Indicator:
    number: int
    tool: str  # iit | eit | oit


INDICATORS: dict[int, Indicator] = {
    n: Indicator(n, "iit" if n <= 5 else "eit" if n <= 8 else "oit") for n in range(1, 11)
}
TOOLS = ("iit", "eit", "oit")
