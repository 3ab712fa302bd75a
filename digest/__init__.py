"""The daily digest and the late notices: what each audience hears in the morning
(plan.py plans and queues, text.py writes it, late.py the notices about late requests), and
when the digest goes (settings.py). Built on the use cases (services.digest) and sent by the
transports; the scheduler and `mm digest` run it (bot.schedule, cli.digest_commands)."""
