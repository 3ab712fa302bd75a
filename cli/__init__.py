"""The `mm` command line: database, program settings, users, demo data, reports, chat."""
