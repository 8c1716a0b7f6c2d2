"""Documents the agency publishes (OIT evidence): a small model, rendered as XLSX or PDF."""

from admin.documents.model import Column, Document, Paragraph, Section, Table
from admin.documents.pdf import render_pdf
from admin.documents.xlsx import render_xlsx

__all__ = ["Column", "Document", "Paragraph", "Section", "Table", "render_pdf", "render_xlsx"]
