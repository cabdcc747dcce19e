"""The ``netcap`` commands, one module each: ``register`` adds its subparser, ``run`` runs it.

A module imports only the standard library and `netcap.cli.common` at its top, so that
building the parser stays cheap; ``run`` imports the part of netcap the command uses.
"""

from netcap.cli.commands import (
    check_tables,
    combine,
    compute,
    dealer_screen,
    diff,
    focus,
    lockup,
    pretrade,
    settle,
    strategy,
    sweep,
    table10,
    template,
)

COMMANDS = (
    strategy,
    table10,
    compute,
    template,
    check_tables,
    sweep,
    combine,
    lockup,
    dealer_screen,
    pretrade,
    settle,
    focus,
    diff,
)
"""The commands in the order ``netcap --help`` lists them."""
