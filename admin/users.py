"""Backend users (admin only) and the audit log page."""
