"""Complaint cases: list, filters, case page, notes, status workflow, identity reveal."""
