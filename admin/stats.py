"""Feedback statistics dashboard per agency and fiscal year."""
