"""`mm keys rotate`: the personal data re-encrypted under a new key while the site runs."""

from __future__ import annotations

import click

from cli.runtime import Runtime, pass_runtime
from locales import gettext as _
from locales import ngettext
from storage import crypto
from storage.key_rotation import rotate


@click.group(help=_("The key to the personal data."))
def keys() -> None:
    pass


@keys.command("rotate", help=_("Re-encrypt all personal data under a new key while the site runs."))
@pass_runtime
def keys_rotate(runtime: Runtime) -> None:
    engine = runtime.sessions.kw["bind"]  # opened with the start-up check of the key
    done = rotate(engine)
    total = sum(done.reencrypted.values())
    click.echo(
        ngettext(
            "%(num)d value re-encrypted under the key %(key)s.",
            "%(num)d values re-encrypted under the key %(key)s.",
            total,
            key=done.new_key_id,
        )
    )
    if done.old_keys_removed:
        click.echo(_("The old key is removed from %(path)s.", path=str(crypto.key_file())))
    elif crypto.keyring_from_environment():
        click.echo(
            _(
                "The keys come from MM_DATA_KEY: remove every data= line but the first there, "
                "and restart the site."
            )
        )
    else:
        raise click.ClickException(
            _(
                "Some values were changed while they were re-encrypted; the old key is kept. "
                "Run mm keys rotate again."
            )
        )
