"""URL rules whose builders are made once per process, not once per app.

Werkzeug makes the two functions that build a rule's URL (`url_for`) by generating Python
code and compiling it: about 1 ms a rule, 115 ms for the site's rules, again for every app a
process makes (the tests make hundreds; a served worker one). A builder depends only on the
rule's parsed parts, its defaults and whether it appends unknown arguments; it reads the
converters from the rule it is bound to when it runs. So the builder made for one rule serves
every equal rule of a later app, bound to that rule."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, ClassVar

from werkzeug.routing import Rule

Builder = Callable[..., tuple[str, str]]


class BuiltOnce(Rule):
    _made: ClassVar[dict[tuple[Any, ...], Builder]] = {}
    _lock: ClassVar[threading.Lock] = threading.Lock()

    def _compile_builder(self, append_unknown: bool = True) -> Builder:
        defaults = self.defaults or {}
        if any(dynamic and part in defaults for dynamic, part in self._trace):
            # A default for a part of the rule is turned into text by the rule's converter
            # when the builder is made: not shared.
            return super()._compile_builder(append_unknown)
        key = (self.rule, tuple(self._trace), tuple(defaults), append_unknown)
        with self._lock:
            made = self._made.get(key)
        if made is None:
            made = super()._compile_builder(append_unknown)
            with self._lock:
                made = self._made.setdefault(key, made)
        return made
