"""The transports: how a notice or the bot's answer leaves the process. Slack (slack/: Web
API client, sender, Block Kit), Matrix (matrix/), e-mail (mail/) and the webhooks
(webhook_sender.py), each rendering the neutral message (notices.message) itself; the
outbox's delivering half (outbox.py); the delivery runtime (delivery.py) that gives the
notices their outlets (outlets.py) and sends what they queued. None of it needs the chat bot
(bot/), which builds on it."""
