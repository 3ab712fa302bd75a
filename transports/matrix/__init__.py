"""The bot on a Matrix homeserver (matrix-nio): the same commands as `/mm`, written
`!mm platser Osby`; request cards and the digest in each municipality's room; answers to the
investigator in a direct chat. Matrix has no buttons or modals, so a card's actions are links
to the web site, where the answer is given."""
