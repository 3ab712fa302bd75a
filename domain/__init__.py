"""The rules of Möjlighetsmodellen: lifecycle, availability, budget, indicators.

Pure modules (no database): text, errors, money, program, calendar, lifecycle, choices,
enrolment, availability, budget, indicators, access, personal_identity.
Use cases that join the rules to storage (load, check, save in one transaction) live in
referrals, placements, municipalities, users, program_setup and reports; they take an
explicit session and never commit (the adapter's unit of work does).
Nothing here imports Flask or slack-bolt.
"""
