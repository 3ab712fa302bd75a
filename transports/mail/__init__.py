"""Notices by e-mail (SMTP), from the outbox, for people who chose e-mail in their settings:
the reference code and a link, never a name or personnummer."""
