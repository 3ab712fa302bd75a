"""The chat bot (slack-bolt): commands, buttons, notifications, daily digest. No personal data."""
