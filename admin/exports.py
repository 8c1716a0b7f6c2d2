"""OIT evidence (o16, o17, o29, o30, o43) as XLSX and PDF, CSV of cases and responses, built in the background."""
