"""The site as `make run` and the Procfile start it: gunicorn serving /healthz."""

from __future__ import annotations

import gc
import sys
from pathlib import Path

from web import create_app

BIN = Path(sys.executable).parent


def test_healthz_answers_ok(tmp_path):
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'h.sqlite3'}"})
    response = app.test_client().get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}


def test_healthz_says_unavailable_when_the_database_is_unreachable():
    app = create_app({"DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none"})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503 and response.get_json() == {"status": "unavailable"}


def test_procfile_names_the_web_process_and_the_release_step():
    lines = dict(
        line.split(":", 1) for line in Path("Procfile").read_text().splitlines() if ":" in line
    )
    assert "gunicorn" in lines["web"] and "web:create_app()" in lines["web"]
    assert "mm db upgrade" in lines["release"]
    assert lines["digest"].strip() == "mm digest schedule"
    assert lines["chat"].strip() == "mm chat socket"


def test_the_web_process_runs_threads_as_the_settings_file_says():
    """gthread workers: one slow page does not hold up the quick ones (gunicorn.conf.py)."""
    lines = dict(
        line.split(":", 1) for line in Path("Procfile").read_text().splitlines() if ":" in line
    )
    assert "--config gunicorn.conf.py" in lines["web"]
    settings: dict = {}
    exec(Path("gunicorn.conf.py").read_text(), settings)
    assert settings["worker_class"] == "gthread"
    assert (settings["workers"], settings["threads"]) == (2, 4)


def test_a_new_worker_has_every_template_compiled_before_its_first_request(tmp_path):
    """gunicorn.conf.py's post_worker_init warms the worker's app: every template compiled
    (a template that does not compile fails here, not on someone's first visit) and Babel's
    Swedish data loaded, so the first requests of its threads do not each do it at once.
    Then it freezes what the worker holds, so that no full collection scans it again."""
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "SECRET_KEY": "k"})
    settings: dict = {}
    exec(Path("gunicorn.conf.py").read_text(), settings)
    assert app.jinja_env.cache is not None and len(app.jinja_env.cache) == 0

    class Worker:  # what gunicorn gives the hook: the worker, with the app it loaded
        wsgi = app

    try:
        settings["post_worker_init"](Worker())
        # What the worker holds is then out of the cyclic collector's reach (its app among it).
        frozen = gc.get_freeze_count()
    finally:
        gc.unfreeze()  # this test process is not a worker: its later garbage is collected
    assert frozen > len(app.jinja_env.cache)
    names = app.jinja_env.list_templates(extensions=["html"])
    assert len(names) > 50 and "base.html" in names
    cached = {name for _loader, name in app.jinja_env.cache}
    assert cached == set(names)


def test_a_template_is_compiled_once_for_every_app_of_the_process_until_its_source_changes():
    """What a test process gains (it makes hundreds of apps); a changed source is not
    answered with the old code."""
    from jinja2 import DictLoader, Environment

    from web.templating import _COMPILED

    compiled: list[str] = []

    class Counting(Environment):
        def compile(self, source, name=None, filename=None, *args, **kwargs):
            compiled.append(source)
            return super().compile(source, name, filename, *args, **kwargs)

    def rendered(source: str) -> str:
        loader = DictLoader({"compiled-once.txt": source})
        environment = Counting(loader=loader, bytecode_cache=_COMPILED)
        return environment.get_template("compiled-once.txt").render(who="Osby")

    assert [rendered("Hej {{ who }}"), rendered("Hej {{ who }}")] == ["Hej Osby", "Hej Osby"]
    assert compiled == ["Hej {{ who }}"]
    assert rendered("Hej då {{ who }}") == "Hej då Osby"
    assert compiled == ["Hej {{ who }}", "Hej då {{ who }}"]


def test_the_url_builders_of_every_app_after_the_first_are_the_first_apps(tmp_path):
    """Every URL of the site built the same as a plain Werkzeug rule builds it, by builders
    made once: the second app's rules use the first app's (web.url_rules)."""
    from flask import url_for
    from werkzeug.routing import Map, Rule

    config = {"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "SECRET_KEY": "k"}
    first, second = create_app(config), create_app(config)
    samples = {"IntegerConverter": 7, "PathConverter": "a/b", "UnicodeConverter": "MM-2026-1"}
    plain = Map(
        [
            Rule(r.rule, endpoint=r.endpoint, defaults=r.defaults, methods=r.methods)
            for r in first.url_map.iter_rules()
        ]
    ).bind("mm.example")
    pairs = list(zip(first.url_map.iter_rules(), second.url_map.iter_rules(), strict=True))
    for made_first, rule in pairs:
        assert (made_first.rule, made_first.endpoint) == (rule.rule, rule.endpoint)
        values = {
            name: samples[type(converter).__name__] for name, converter in rule._converters.items()
        }
        with second.test_request_context():
            assert url_for(rule.endpoint, **values, extra="1") == plain.build(
                rule.endpoint, {**values, "extra": "1"}
            )
        if rule.endpoint != "static":  # made by Flask before the site chose its rules
            assert rule._build.__func__ is made_first._build.__func__  # type: ignore[attr-defined]
            assert rule._build.__self__ is rule  # type: ignore[attr-defined]
    assert len(pairs) > 100
