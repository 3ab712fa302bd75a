"""The `mm` command as an operator runs it: Swedish answers, Swedish errors, exit codes,
never a traceback."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from locales import format_date, gettext
from tests.support.mm_command import runner, runner_on_copy


@pytest.fixture
def mm(tmp_path):
    return runner(tmp_path / "cli.sqlite3", own_process=True)


@pytest.fixture(scope="module")
def loaded_database(tmp_path_factory) -> Path:
    database = tmp_path_factory.mktemp("cli") / "loaded.sqlite3"
    run = runner(database, own_process=True)
    run("db", "upgrade")
    run("program", "load")
    return database


@pytest.fixture
def ready(loaded_database, tmp_path):
    """A database made with `mm db upgrade` and `mm program load`, for this test alone."""
    return runner_on_copy(loaded_database, tmp_path / "cli.sqlite3")


@pytest.fixture(scope="module")
def demo_run(loaded_database, tmp_path_factory) -> tuple[Path, str]:
    """`mm demo` run once (seconds: it hashes the demo users' passwords) on a copy of
    `loaded_database`: the database it filled and what it printed, for the tests to read."""
    database = tmp_path_factory.mktemp("cli-demo") / "demo.sqlite3"
    printed = runner_on_copy(loaded_database, database, own_process=True)("demo").stdout
    assert not Path(f"{database}-wal").exists()
    return database, printed


@pytest.fixture
def demo_ready(demo_run, tmp_path):
    """Like `ready`, after `mm demo`: a copy of `demo_run`'s database for this test alone."""
    return runner_on_copy(demo_run[0], tmp_path / "cli.sqlite3")


def test_budget_2027_with_no_placements_says_35_full_year_places(ready):
    out = ready("budget", "2027").stdout
    assert "Budgetram: 1\xa0790\xa0000\xa0kr" in out
    assert "Dagersättning: 200\xa0kr (inte fastställd; indexjusteringen är inte beslutad)." in out
    assert "Ersättningsdagar under året: 256" in out
    assert "Budgetramen räcker till 35,0 helårsplatser." in out
    assert "Helårsplatser kvar: 35,0" in out


def test_places_per_municipality_in_swedish(ready):
    out = ready("places").stdout.splitlines()
    assert out[0] == (
        "Bromölla: 5 lediga platser (kapacitet 5, startade 0, accepterade men inte startade 0)"
    )
    assert out[-1] == "Totalt: 31 lediga platser."
    one = ready("places", "ostra goinge").stdout.strip()
    assert one.startswith("Östra Göinge: 6 lediga platser")


@pytest.mark.slow
def test_places_says_when_the_next_place_frees_up_where_none_is_free(demo_ready, tmp_path):
    line = demo_ready("places", "bromölla").stdout.strip()
    assert line.startswith("Bromölla: 0 lediga platser (kapacitet 5, startade 4, "), line
    with sqlite3.connect(tmp_path / "cli.sqlite3") as db:  # the earliest planned end, by hand
        (first_end,) = db.execute(
            "SELECT MIN(p.planned_end_on) FROM placement p JOIN referral r ON r.id = p.referral_id"
            " JOIN municipality m ON m.id = p.municipality_id"
            " WHERE m.name = 'Bromölla' AND r.status = 'started'"
        ).fetchone()
    freed = date.fromisoformat(first_end) + timedelta(days=1)
    expected = f"Nästa plats väntas bli ledig {format_date(freed)} (uppskattning)."
    assert line.endswith("). " + expected), line


def test_demo_data_fills_the_picture_and_prints_the_users(demo_run, demo_ready):
    out = demo_run[1]
    assert "Demodata har lästs in." in out
    assert "samordnare@fk.example  Samordnare, Försäkringskassan" in out
    assert "Demodata var redan inläst." in demo_ready("demo").stdout
    assert "Intecknat: 0\xa0kr" not in demo_ready("budget", "2026").stdout


def test_set_rate_confirms_the_index_adjusted_rate(ready):
    assert (
        "Dagersättningen för 2027 är nu 206,40\xa0kr."
        in ready("program", "set-rate", "2027", "206,40").stdout
    )
    assert "Dagersättning: 206,40\xa0kr (fastställd)." in ready("budget", "2027").stdout


def test_user_add_reads_the_password_from_a_prompt_never_from_arguments(ready):
    add = ("user", "add", "--email", "Olle@Osby.example", "--name", "Olle Osby")
    contact = ("--role", "municipality_contact", "--municipality", "1273")
    done = ready(*add, *contact, input="kanot-mössa-blåbär-regn\nkanot-mössa-blåbär-regn\n")
    assert "Användaren olle@osby.example har lagts till." in done.stdout
    assert "kanot" not in done.stdout + done.stderr
    other = ("user", "add", "--email", "ulla@osby.example", "--name", "Ulla Osby", *contact)
    weak = ready(*other, input="password1234\npassword1234\n", ok=False)
    assert "Fel: Lösenordet är ett av de vanligaste lösenorden. Välj ett annat." in weak.stderr
    refused = ready(*other, "--password", "hemligt-hemligt", ok=False)
    assert "Flaggan '--password' finns inte." in refused.stderr
    assert "ulla@osby.example" not in ready("user", "list").stdout  # nothing half-saved


def test_a_user_is_added_with_phone_and_title(ready, tmp_path):
    from sqlalchemy import create_engine, text

    out = ready(
        "user",
        "add",
        "--email",
        "olle@osby.example",
        "--name",
        "Olle Osby",
        "--role",
        "municipality_contact",
        "--municipality",
        "Osby",
        "--phone",
        " 0479-52 80 00 ",
        "--title",
        "Arbetsmarknadskonsulent",
        input="kanot-mössa-blåbär-regn\nkanot-mössa-blåbär-regn\n",
    ).stdout
    assert "Användaren olle@osby.example har lagts till." in out
    engine = create_engine(f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT phone, title FROM user_account")).one()
    engine.dispose()
    assert tuple(stored) == ("0479-52 80 00", "Arbetsmarknadskonsulent")


@pytest.mark.parametrize(
    ("args", "swedish"),
    [
        (
            (
                *("user", "add", "--email", "a@b.example", "--name", "A"),
                *("--role", "coordinator", "--phone", "ring mig"),
            ),
            "Fel: Skriv telefonnumret med siffror, till exempel 044-13 50 00.",
        ),
        (("budget", "2031"), "Fel: Programmet har inget år 2031; välj ett år från 2026 till 2028."),
        (("budget", "tjugo"), "tjugo är inget årtal; skriv det med fyra siffror."),
        (("places", "Göteborg"), "Fel: Det finns ingen kommun som heter Göteborg i programmet."),
        (
            (
                "user",
                "add",
                "--email",
                "a@b.example",
                "--name",
                "A",
                "--role",
                "municipality_contact",
                "--municipality",
                "Malmö",
            ),
            "Fel: Det finns ingen kommun som heter Malmö i programmet.",
        ),
        (
            ("user", "add", "--email", "inte-en-adress", "--name", "A", "--role", "coordinator"),
            "Fel: Ange en giltig e-postadress.",
        ),
        (
            ("user", "add", "--email", "a@b.example", "--name", "A", "--role", "kung"),
            "är inte något av",
        ),
        (
            ("program", "set-rate", "2027", "noll"),
            "noll är inget belopp i kronor, till exempel 206,40.",
        ),
        (("program", "load", "/nowhere.toml"), "Inställningsfilen /nowhere.toml finns inte."),
        (("budget", "2027", "2028"), "Oväntat extra argument (2028)"),
    ],
)
def test_bad_input_gets_a_swedish_error_and_a_non_zero_exit(ready, args, swedish):
    done = ready(*args, ok=False)
    assert swedish in done.stderr


def test_a_bad_settings_file_lists_its_problems(ready, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[program]\nkey = "x"\nstart = "igår"\n', encoding="utf-8")
    err = ready("program", "load", str(bad), ok=False).stderr
    assert "Fel: Inställningsfilen har fel:" in err
    assert "– [program]: start måste vara ett datum skrivet ÅÅÅÅ-MM-DD." in err


def test_before_the_database_exists_the_error_says_what_to_do(mm):
    err = mm("budget", ok=False).stderr
    assert "Kontrollera DATABASE_URL och kör mm db upgrade först." in err


def test_help_is_in_swedish(mm):
    out = mm("--help").stdout
    assert out.startswith("Användning: mm [OPTIONS] COMMAND [ARGS]...")
    assert "Visa detta meddelande och avsluta." in out


def _events(database: Path) -> list[tuple[str, str]]:
    """(kind, e-mail of the account it is about) of every account event, oldest first."""
    import sqlite3

    with sqlite3.connect(database) as connection:
        return connection.execute(
            "SELECT e.kind, u.email FROM event e JOIN user_account u ON u.id = e.subject_user_id "
            "ORDER BY e.id"
        ).fetchall()


STRONG = "kanot-mössa-blåbär-regn\nkanot-mössa-blåbär-regn\n"


def test_every_account_action_on_the_command_line_is_in_the_history(ready, tmp_path):
    ready(
        "user",
        "add",
        "--email",
        "sara@fk.example",
        "--name",
        "Sara S",
        "--role",
        "coordinator",
        input=STRONG,
    )
    listed = ready("user", "list", "sara").stdout
    assert listed.splitlines() == [
        "sara@fk.example  Sara S  Samordnare, Försäkringskassan  –  aktiv  "
        "tvåstegsverifiering inte påslagen",
        "1 användare.",
    ]
    changed = ready("user", "change", "sara@fk.example", "--role", "investigator").stdout
    assert changed.strip() == "Användaren sara@fk.example har ändrats."
    assert ready("user", "change", "sara@fk.example", "--role", "investigator").stdout.strip() == (
        "Inget ändrades."
    )
    assert "har inaktiverats" in ready("user", "deactivate", "sara@fk.example").stdout
    assert "har aktiverats igen" in ready("user", "reactivate", "sara@fk.example").stdout
    assert "har låsts upp" in ready("user", "unlock", "sara@fk.example").stdout
    reset = ready("user", "reset", "sara@fk.example", "--password", input=STRONG).stdout
    assert reset.strip() == "Lösenordet för sara@fk.example har bytts."
    invite = ready("user", "reset", "sara@fk.example", "--invite").stdout
    assert re.fullmatch(
        r"Inbjudningslänk \(giltig i 72 timmar\): http://127\.0\.0\.1:8000/inbjudan/[\w-]{40,}\n",
        invite,
    )
    factor = ready("user", "reset", "sara@fk.example", "--second-factor").stdout
    assert factor.strip() == "Tvåstegsverifieringen för sara@fk.example har återställts."
    mismatch = ready(
        "user", "reset", "sara@fk.example", "--password", input="a-b-c-d-e-f\nx-y-z\n", ok=False
    )
    assert "Fel: De två värdena stämmer inte överens." in mismatch.stdout
    assert "Avbrutet!" in mismatch.stderr
    kinds = [
        kind for kind, email in _events(tmp_path / "cli.sqlite3") if email == "sara@fk.example"
    ]
    assert kinds == [
        "user_added",
        "invited",
        "password_set",
        "user_changed",
        "user_deactivated",
        "user_reactivated",
        "user_unlocked",
        "password_set",
        "password_reset",
        "invited",
        "second_factor_reset",
    ]
    unknown = ready("user", "deactivate", "ingen@fk.example", ok=False)
    assert "Fel: Det finns inget konto med e-postadressen ingen@fk.example." in unknown.stderr


def test_demo_users_get_an_authenticator_and_can_be_removed(demo_run, demo_ready):
    out = demo_run[1]
    assert re.search(
        r"^  samordnare@fk\.example  Samordnare, Försäkringskassan  nyckel för autentiseringsapp "
        r"[A-Z2-7]{32}$",
        out,
        flags=re.MULTILINE,
    )
    assert re.fullmatch(r"\d{6}\n", demo_ready("demo", "code", "samordnare@fk.example").stdout)
    demo_ready(
        "user",
        "add",
        "--email",
        "riktig@fk.example",
        "--name",
        "Rik Tig",
        "--role",
        "coordinator",
        input=STRONG,
    )
    refused = demo_ready("demo", "code", "riktig@fk.example", ok=False)
    assert (
        "Fel: riktig@fk.example är ingen demoanvändare: koder visas bara för demoanvändare."
        in refused.stderr
    )
    assert demo_ready("demo", "remove").stdout.strip() == "Borttagna demoanvändare: 10."
    assert demo_ready("demo", "code", "samordnare@fk.example", ok=False).returncode == 1


def test_demo_is_refused_in_a_database_with_real_users(ready):
    ready(
        "user",
        "add",
        "--email",
        "riktig@fk.example",
        "--name",
        "Rik Tig",
        "--role",
        "coordinator",
        input=STRONG,
    )
    refused = ready("demo", ok=False)
    assert (
        "Fel: Databasen har konton för riktiga personer, så inga demoanvändare läggs till. "
        "Använd en tom databas för demon." in refused.stderr
    )


def test_the_command_list_shows_each_commands_own_help_without_loading_it():
    """`mm --help` lists the commands from cli.main.COMMANDS, each with the help read from
    the command's own source: it must be the help the command itself has (so the list never
    says something the command does not)."""
    import importlib

    from cli.main import COMMANDS, own_help

    for name, (module, attribute) in COMMANDS.items():
        command = getattr(importlib.import_module(module), attribute)
        assert own_help(module, attribute), name
        assert command.help == gettext(own_help(module, attribute)), name


def test_help_lists_every_command_and_loads_neither_the_bot_nor_alembic(tmp_path):
    probe = (
        "import sys; from cli.main import main; sys.argv = ['mm', '--help']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('bot.app', 'slack_bolt', 'alembic') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "[]"
    for name in ("budget", "chat", "digest", "figures", "places"):
        assert f"\n  {name} " in done.stdout


def test_figures_check_says_the_kept_figures_agree(ready):
    assert ready("figures", "check").stdout == (
        "De sparade siffrorna stämmer med en omräkning från varje träningsplats.\n"
    )
    assert ready("figures", "rebuild").stdout == "De sparade siffrorna har räknats om.\n"


def test_figures_check_finds_a_wrong_work_item_and_rebuild_puts_it_right(ready, tmp_path):
    """A worklist item the triggers did not make (an operator's SQL, a restore gone wrong):
    the check names it and fails, the rebuild recomputes the items from the referrals."""
    with sqlite3.connect(tmp_path / "cli.sqlite3") as db:
        db.execute(
            "INSERT INTO work_item (referral_id, kind, source_id, municipality_id, "
            "investigator_id, reference_code, anchor, at_seconds) "
            "VALUES (999, 'ending', 999, 1, 1, 'MM-2026-0999', '2026-12-01', 0)"
        )
    failed = ready("figures", "check", ok=False)
    assert "work_item (999, 'ending', 999)" in failed.stdout
    assert "1 sparad siffra skiljer sig från omräkningen." in failed.stderr
    ready("figures", "rebuild")
    assert "stämmer" in ready("figures", "check").stdout


def test_figures_check_finds_a_wrong_kept_place_and_rebuild_puts_it_right(ready, tmp_path):
    """A place in use the triggers did not count (storage.place_ends): named by the check,
    counted again by the rebuild."""
    with sqlite3.connect(tmp_path / "cli.sqlite3") as db:
        db.execute(
            "INSERT INTO place_end (municipality_id, kind, day, places) "
            "VALUES (1, 'ends', '2026-12-01', 2)"
        )
    failed = ready("figures", "check", ok=False)
    assert "place_end (1, 'ends', datetime.date(2026, 12, 1)): kept 2" in failed.stdout
    assert "1 sparad siffra skiljer sig från omräkningen." in failed.stderr
    ready("figures", "rebuild")
    assert "stämmer" in ready("figures", "check").stdout
