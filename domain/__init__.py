"""The pure rules of Möjlighetsmodellen: no database, no web, no chat.

lifecycle, actions (what may be done now, by whom), access, participants, personal_identity,
enrolment, deadlines (what is late), calendar (compensable days), money, budget,
availability, indicators, program and settings (the program file), events (the log's
vocabulary), delivery (outbox states), digest (its content as data), event_texts (the
history as sentences), parsing (what people type), choices, clock, text, errors.

Nothing here imports SQLAlchemy, storage, services, Flask, Slack or Click; a test reads
every import to keep it so. Use cases that load and save live in services/.
"""
