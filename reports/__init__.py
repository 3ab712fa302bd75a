"""Reports and exports: one home for the rows of each report (requisition basis, accruals,
budget follow-up, indicators, Finsam, the steering report, the log export) and for how they
are written as XLSX and CSV (sheets.py). The pages, `mm` and chat read the same rows.

Reports may use the rules (domain) and Swedish wording and formatting (locales); locales/
keeps only the catalogue and formatting, never a spreadsheet layout or writer."""
