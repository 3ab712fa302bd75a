"""Slack as a transport: the Web API client (client.py), the sender the outbox uses
(sender.py), the neutral message as Block Kit (blockkit.py, blocks.py) and back as plain
text (text.py), and the Slack app's settings (settings.py)."""
