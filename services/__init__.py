"""Use cases: load, check, save — in one transaction that the adapter's unit of work owns.

Each function takes an explicit session (and the actor and the moment, where they matter),
asks the pure rules of domain/ and reads and writes through storage/. They never commit:
the adapter (web, bot, command line) does, so that a refusal saves nothing.

referrals     file a referral, ask a municipality, answer, withdraw; the facts rules need
placements    meeting held, milestones, extension, end, final report, alternative plan
casework      lists and inboxes (no personal data) and the actions a viewer may take
audit         personal data, shown only to whom may see it, each view written down
history       the append-only event log
reports       free places, budget per year, goal indicators
digest        the daily digest's content
municipalities, users, login, chat_links, program_setup, reference_codes
"""
