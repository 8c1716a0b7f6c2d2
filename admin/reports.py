"""Participation evidence on measures and the measures' six-month and annual progress reports."""
