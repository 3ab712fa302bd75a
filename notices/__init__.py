"""The channel-neutral notices: what follows from each event (notices.bus.SUBSCRIBERS and
`publish`), who gets which notice and how they chose to (notices.recipients), whose Home
tab an event changes (notices.home), and the outlets that render and queue each message
(notices.outlets). Below the use cases: services.history.record publishes every event
through notices.bus."""
