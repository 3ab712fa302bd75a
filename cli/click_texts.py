"""Click's own sentences (usage, help, errors), listed so that they are in our catalogue.

Click translates through the standard `gettext` module; `cli.main` points that at our
Swedish catalogue. The msgids must match click's exactly (braces and all).
"""

from domain.text import N_


def Nn_(singular: str, plural: str) -> tuple[str, str]:  # noqa: N802 - extraction marker
    return singular, plural


CLICK_TEXTS = (
    N_("Usage:"),
    N_("Options"),
    N_("Commands"),
    N_("Show this message and exit."),
    N_("Error: {message}"),
    N_("Try '{command} {option}' for help."),
    N_("Invalid value: {message}"),
    N_("Invalid value for {param_hint}: {message}"),
    N_("Missing argument"),
    N_("Missing option"),
    N_("Missing parameter"),
    N_("No such option {name!r}."),
    N_("No such command {name!r}."),
    N_("Aborted!"),
    N_("Repeat for confirmation"),
    N_("Error: The two entered values do not match."),
    N_("Choose from:\n\t{choices}"),
    N_("Missing command."),
    N_("Positional arguments"),
)

CLICK_PLURALS = (
    Nn_("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})"),
    Nn_("Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments."),
    Nn_("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)"),
    Nn_("{value!r} is not {choice}.", "{value!r} is not one of {choices}."),
)
