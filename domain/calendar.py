"""Compensable days: which days the municipality is paid for, counted in O(1).

The day rule is `weekdays` (Monday–Friday except Swedish public holidays, as the `holidays`
package names them: public_holidays) or `calendar`. A prefix count over the program period
answers "how many compensable days from A to B" with two look-ups; the same rows are stored
in the database so that yearly totals are summed there.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from domain.program import DayRule, Program


@dataclass(frozen=True)
class DayIndexRow:
    """One day of the index: compensable days in the period before it, and through it."""

    day: date
    before: int
    through: int


class CompensableDays:
    def __init__(self, rule: DayRule, first: date, last: date) -> None:
        self.rule = rule
        self.first = first
        self.last = last
        self.holidays: dict[date, str] = public_holidays(first.year, last.year)
        self._through: list[int] = []
        count = 0
        for offset in range((last - first).days + 1):
            count += self.is_compensable(first + timedelta(days=offset))
            self._through.append(count)

    @classmethod
    def for_program(cls, program: Program) -> CompensableDays:
        return cls(program.day_rule, program.start, program.end)

    def is_compensable(self, day: date) -> bool:
        if self.rule is DayRule.CALENDAR:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def count(self, first: date, last: date) -> int:
        """Compensable days from `first` to `last`, both inclusive, within the period."""
        first, last = max(first, self.first), min(last, self.last)
        if first > last:
            return 0
        high = self._through[(last - self.first).days]
        low_index = (first - self.first).days - 1
        return high - (self._through[low_index] if low_index >= 0 else 0)

    def rows(self) -> Iterator[DayIndexRow]:
        """The index as stored in the database (one row per day of the period)."""
        before = 0
        for offset, through in enumerate(self._through):
            yield DayIndexRow(self.first + timedelta(days=offset), before, through)
            before = through


@lru_cache(maxsize=8)
def day_index(rule: DayRule, first: date, last: date) -> tuple[DayIndexRow, ...]:
    """The index of a period as stored (`CompensableDays.rows`), worked out once per period
    and rule: every program load writes it, and a test process loads programs by the hundred."""
    return tuple(CompensableDays(rule, first, last).rows())


@lru_cache(maxsize=8)
def working_days(first_year: int, last_year: int) -> CompensableDays:
    """Swedish working days (Monday–Friday except public holidays), whatever the program's
    day rule: what the digest's "working days" mean."""
    return CompensableDays(DayRule.WEEKDAYS, date(first_year, 1, 1), date(last_year, 12, 31))


def is_working_day(day: date) -> bool:
    return working_days(day.year, day.year).is_compensable(day)


def working_days_between(earlier: date, later: date) -> int:
    """Working days after `earlier` up to and including `later` (0 on the same day)."""
    if later <= earlier:
        return 0
    return working_days(earlier.year, later.year).count(earlier + timedelta(days=1), later)


def add_working_days(day: date, count: int) -> date:
    """The date `count` working days after `day`."""
    while count > 0:
        day += timedelta(days=1)
        count -= is_working_day(day)
    return day


def public_holidays(first_year: int, last_year: int) -> dict[date, str]:
    """Sweden's public holidays (Sundays aside) from `first_year` to `last_year`, by date.

    From HOLIDAY_TABLE, what the `holidays` package answers for those years
    (tests/test_worker_imports.py holds them equal); the package itself only for a year
    outside it. Importing it loads all of its ~300 countries (~17 MB in every web worker)."""
    found: dict[date, str] = {}
    for year in range(first_year, last_year + 1):
        days = _holiday_table().get(year)
        found.update(_from_the_package(year) if days is None else days)
    return found


def _from_the_package(year: int) -> dict[date, str]:
    from holidays.countries.sweden import Sweden

    return dict(Sweden(years=year, include_sundays=False, language="sv").items())


@lru_cache(maxsize=1)
def _holiday_table() -> dict[int, dict[date, str]]:
    table: dict[int, dict[date, str]] = {}
    for line in HOLIDAY_TABLE.strip().splitlines():
        year, *days = line.split()
        table[int(year)] = {
            date(int(year), int(day[:2]), int(day[2:4])): HOLIDAY_NAMES[ord(day[4]) - ord("a")]
            for day in days
        }
    return table


# Generated from holidays.countries.sweden.Sweden(years=Y, include_sundays=False,
# language="sv") for 2000-2099: per year, each holiday as MMDD and a letter of HOLIDAY_NAMES.
HOLIDAY_NAMES = (
    "Nyårsdagen",
    "Trettondedag jul",
    "Långfredagen",
    "Påskdagen",
    "Annandag påsk",
    "Första maj",
    "Kristi himmelsfärdsdag",
    "Pingstdagen",
    "Annandag pingst",
    "Midsommardagen",
    "Alla helgons dag",
    "Juldagen",
    "Annandag jul",
    "Nationaldagen",
    "Första maj; Kristi himmelsfärdsdag",
    "Nationaldagen; Pingstdagen",
)
HOLIDAY_TABLE = """
2000 0101a 0106b 0421c 0423d 0424e 0501f 0601g 0611h 0612i 0624j 1104k 1225l 1226m
2001 0101a 0106b 0413c 0415d 0416e 0501f 0524g 0603h 0604i 0623j 1103k 1225l 1226m
2002 0101a 0106b 0329c 0331d 0401e 0501f 0509g 0519h 0520i 0622j 1102k 1225l 1226m
2003 0101a 0106b 0418c 0420d 0421e 0501f 0529g 0608h 0609i 0621j 1101k 1225l 1226m
2004 0101a 0106b 0409c 0411d 0412e 0501f 0520g 0530h 0531i 0626j 1106k 1225l 1226m
2005 0101a 0106b 0325c 0327d 0328e 0501f 0505g 0515h 0606n 0625j 1105k 1225l 1226m
2006 0101a 0106b 0414c 0416d 0417e 0501f 0525g 0604h 0606n 0624j 1104k 1225l 1226m
2007 0101a 0106b 0406c 0408d 0409e 0501f 0517g 0527h 0606n 0623j 1103k 1225l 1226m
2008 0101a 0106b 0321c 0323d 0324e 0501o 0511h 0606n 0621j 1101k 1225l 1226m
2009 0101a 0106b 0410c 0412d 0413e 0501f 0521g 0531h 0606n 0620j 1031k 1225l 1226m
2010 0101a 0106b 0402c 0404d 0405e 0501f 0513g 0523h 0606n 0626j 1106k 1225l 1226m
2011 0101a 0106b 0422c 0424d 0425e 0501f 0602g 0606n 0612h 0625j 1105k 1225l 1226m
2012 0101a 0106b 0406c 0408d 0409e 0501f 0517g 0527h 0606n 0623j 1103k 1225l 1226m
2013 0101a 0106b 0329c 0331d 0401e 0501f 0509g 0519h 0606n 0622j 1102k 1225l 1226m
2014 0101a 0106b 0418c 0420d 0421e 0501f 0529g 0606n 0608h 0621j 1101k 1225l 1226m
2015 0101a 0106b 0403c 0405d 0406e 0501f 0514g 0524h 0606n 0620j 1031k 1225l 1226m
2016 0101a 0106b 0325c 0327d 0328e 0501f 0505g 0515h 0606n 0625j 1105k 1225l 1226m
2017 0101a 0106b 0414c 0416d 0417e 0501f 0525g 0604h 0606n 0624j 1104k 1225l 1226m
2018 0101a 0106b 0330c 0401d 0402e 0501f 0510g 0520h 0606n 0623j 1103k 1225l 1226m
2019 0101a 0106b 0419c 0421d 0422e 0501f 0530g 0606n 0609h 0622j 1102k 1225l 1226m
2020 0101a 0106b 0410c 0412d 0413e 0501f 0521g 0531h 0606n 0620j 1031k 1225l 1226m
2021 0101a 0106b 0402c 0404d 0405e 0501f 0513g 0523h 0606n 0626j 1106k 1225l 1226m
2022 0101a 0106b 0415c 0417d 0418e 0501f 0526g 0605h 0606n 0625j 1105k 1225l 1226m
2023 0101a 0106b 0407c 0409d 0410e 0501f 0518g 0528h 0606n 0624j 1104k 1225l 1226m
2024 0101a 0106b 0329c 0331d 0401e 0501f 0509g 0519h 0606n 0622j 1102k 1225l 1226m
2025 0101a 0106b 0418c 0420d 0421e 0501f 0529g 0606n 0608h 0621j 1101k 1225l 1226m
2026 0101a 0106b 0403c 0405d 0406e 0501f 0514g 0524h 0606n 0620j 1031k 1225l 1226m
2027 0101a 0106b 0326c 0328d 0329e 0501f 0506g 0516h 0606n 0626j 1106k 1225l 1226m
2028 0101a 0106b 0414c 0416d 0417e 0501f 0525g 0604h 0606n 0624j 1104k 1225l 1226m
2029 0101a 0106b 0330c 0401d 0402e 0501f 0510g 0520h 0606n 0623j 1103k 1225l 1226m
2030 0101a 0106b 0419c 0421d 0422e 0501f 0530g 0606n 0609h 0622j 1102k 1225l 1226m
2031 0101a 0106b 0411c 0413d 0414e 0501f 0522g 0601h 0606n 0621j 1101k 1225l 1226m
2032 0101a 0106b 0326c 0328d 0329e 0501f 0506g 0516h 0606n 0626j 1106k 1225l 1226m
2033 0101a 0106b 0415c 0417d 0418e 0501f 0526g 0605h 0606n 0625j 1105k 1225l 1226m
2034 0101a 0106b 0407c 0409d 0410e 0501f 0518g 0528h 0606n 0624j 1104k 1225l 1226m
2035 0101a 0106b 0323c 0325d 0326e 0501f 0503g 0513h 0606n 0623j 1103k 1225l 1226m
2036 0101a 0106b 0411c 0413d 0414e 0501f 0522g 0601h 0606n 0621j 1101k 1225l 1226m
2037 0101a 0106b 0403c 0405d 0406e 0501f 0514g 0524h 0606n 0620j 1031k 1225l 1226m
2038 0101a 0106b 0423c 0425d 0426e 0501f 0603g 0606n 0613h 0626j 1106k 1225l 1226m
2039 0101a 0106b 0408c 0410d 0411e 0501f 0519g 0529h 0606n 0625j 1105k 1225l 1226m
2040 0101a 0106b 0330c 0401d 0402e 0501f 0510g 0520h 0606n 0623j 1103k 1225l 1226m
2041 0101a 0106b 0419c 0421d 0422e 0501f 0530g 0606n 0609h 0622j 1102k 1225l 1226m
2042 0101a 0106b 0404c 0406d 0407e 0501f 0515g 0525h 0606n 0621j 1101k 1225l 1226m
2043 0101a 0106b 0327c 0329d 0330e 0501f 0507g 0517h 0606n 0620j 1031k 1225l 1226m
2044 0101a 0106b 0415c 0417d 0418e 0501f 0526g 0605h 0606n 0625j 1105k 1225l 1226m
2045 0101a 0106b 0407c 0409d 0410e 0501f 0518g 0528h 0606n 0624j 1104k 1225l 1226m
2046 0101a 0106b 0323c 0325d 0326e 0501f 0503g 0513h 0606n 0623j 1103k 1225l 1226m
2047 0101a 0106b 0412c 0414d 0415e 0501f 0523g 0602h 0606n 0622j 1102k 1225l 1226m
2048 0101a 0106b 0403c 0405d 0406e 0501f 0514g 0524h 0606n 0620j 1031k 1225l 1226m
2049 0101a 0106b 0416c 0418d 0419e 0501f 0527g 0606p 0626j 1106k 1225l 1226m
2050 0101a 0106b 0408c 0410d 0411e 0501f 0519g 0529h 0606n 0625j 1105k 1225l 1226m
2051 0101a 0106b 0331c 0402d 0403e 0501f 0511g 0521h 0606n 0624j 1104k 1225l 1226m
2052 0101a 0106b 0419c 0421d 0422e 0501f 0530g 0606n 0609h 0622j 1102k 1225l 1226m
2053 0101a 0106b 0404c 0406d 0407e 0501f 0515g 0525h 0606n 0621j 1101k 1225l 1226m
2054 0101a 0106b 0327c 0329d 0330e 0501f 0507g 0517h 0606n 0620j 1031k 1225l 1226m
2055 0101a 0106b 0416c 0418d 0419e 0501f 0527g 0606p 0626j 1106k 1225l 1226m
2056 0101a 0106b 0331c 0402d 0403e 0501f 0511g 0521h 0606n 0624j 1104k 1225l 1226m
2057 0101a 0106b 0420c 0422d 0423e 0501f 0531g 0606n 0610h 0623j 1103k 1225l 1226m
2058 0101a 0106b 0412c 0414d 0415e 0501f 0523g 0602h 0606n 0622j 1102k 1225l 1226m
2059 0101a 0106b 0328c 0330d 0331e 0501f 0508g 0518h 0606n 0621j 1101k 1225l 1226m
2060 0101a 0106b 0416c 0418d 0419e 0501f 0527g 0606p 0626j 1106k 1225l 1226m
2061 0101a 0106b 0408c 0410d 0411e 0501f 0519g 0529h 0606n 0625j 1105k 1225l 1226m
2062 0101a 0106b 0324c 0326d 0327e 0501f 0504g 0514h 0606n 0624j 1104k 1225l 1226m
2063 0101a 0106b 0413c 0415d 0416e 0501f 0524g 0603h 0606n 0623j 1103k 1225l 1226m
2064 0101a 0106b 0404c 0406d 0407e 0501f 0515g 0525h 0606n 0621j 1101k 1225l 1226m
2065 0101a 0106b 0327c 0329d 0330e 0501f 0507g 0517h 0606n 0620j 1031k 1225l 1226m
2066 0101a 0106b 0409c 0411d 0412e 0501f 0520g 0530h 0606n 0626j 1106k 1225l 1226m
2067 0101a 0106b 0401c 0403d 0404e 0501f 0512g 0522h 0606n 0625j 1105k 1225l 1226m
2068 0101a 0106b 0420c 0422d 0423e 0501f 0531g 0606n 0610h 0623j 1103k 1225l 1226m
2069 0101a 0106b 0412c 0414d 0415e 0501f 0523g 0602h 0606n 0622j 1102k 1225l 1226m
2070 0101a 0106b 0328c 0330d 0331e 0501f 0508g 0518h 0606n 0621j 1101k 1225l 1226m
2071 0101a 0106b 0417c 0419d 0420e 0501f 0528g 0606n 0607h 0620j 1031k 1225l 1226m
2072 0101a 0106b 0408c 0410d 0411e 0501f 0519g 0529h 0606n 0625j 1105k 1225l 1226m
2073 0101a 0106b 0324c 0326d 0327e 0501f 0504g 0514h 0606n 0624j 1104k 1225l 1226m
2074 0101a 0106b 0413c 0415d 0416e 0501f 0524g 0603h 0606n 0623j 1103k 1225l 1226m
2075 0101a 0106b 0405c 0407d 0408e 0501f 0516g 0526h 0606n 0622j 1102k 1225l 1226m
2076 0101a 0106b 0417c 0419d 0420e 0501f 0528g 0606n 0607h 0620j 1031k 1225l 1226m
2077 0101a 0106b 0409c 0411d 0412e 0501f 0520g 0530h 0606n 0626j 1106k 1225l 1226m
2078 0101a 0106b 0401c 0403d 0404e 0501f 0512g 0522h 0606n 0625j 1105k 1225l 1226m
2079 0101a 0106b 0421c 0423d 0424e 0501f 0601g 0606n 0611h 0624j 1104k 1225l 1226m
2080 0101a 0106b 0405c 0407d 0408e 0501f 0516g 0526h 0606n 0622j 1102k 1225l 1226m
2081 0101a 0106b 0328c 0330d 0331e 0501f 0508g 0518h 0606n 0621j 1101k 1225l 1226m
2082 0101a 0106b 0417c 0419d 0420e 0501f 0528g 0606n 0607h 0620j 1031k 1225l 1226m
2083 0101a 0106b 0402c 0404d 0405e 0501f 0513g 0523h 0606n 0626j 1106k 1225l 1226m
2084 0101a 0106b 0324c 0326d 0327e 0501f 0504g 0514h 0606n 0624j 1104k 1225l 1226m
2085 0101a 0106b 0413c 0415d 0416e 0501f 0524g 0603h 0606n 0623j 1103k 1225l 1226m
2086 0101a 0106b 0329c 0331d 0401e 0501f 0509g 0519h 0606n 0622j 1102k 1225l 1226m
2087 0101a 0106b 0418c 0420d 0421e 0501f 0529g 0606n 0608h 0621j 1101k 1225l 1226m
2088 0101a 0106b 0409c 0411d 0412e 0501f 0520g 0530h 0606n 0626j 1106k 1225l 1226m
2089 0101a 0106b 0401c 0403d 0404e 0501f 0512g 0522h 0606n 0625j 1105k 1225l 1226m
2090 0101a 0106b 0414c 0416d 0417e 0501f 0525g 0604h 0606n 0624j 1104k 1225l 1226m
2091 0101a 0106b 0406c 0408d 0409e 0501f 0517g 0527h 0606n 0623j 1103k 1225l 1226m
2092 0101a 0106b 0328c 0330d 0331e 0501f 0508g 0518h 0606n 0621j 1101k 1225l 1226m
2093 0101a 0106b 0410c 0412d 0413e 0501f 0521g 0531h 0606n 0620j 1031k 1225l 1226m
2094 0101a 0106b 0402c 0404d 0405e 0501f 0513g 0523h 0606n 0626j 1106k 1225l 1226m
2095 0101a 0106b 0422c 0424d 0425e 0501f 0602g 0606n 0612h 0625j 1105k 1225l 1226m
2096 0101a 0106b 0413c 0415d 0416e 0501f 0524g 0603h 0606n 0623j 1103k 1225l 1226m
2097 0101a 0106b 0329c 0331d 0401e 0501f 0509g 0519h 0606n 0622j 1102k 1225l 1226m
2098 0101a 0106b 0418c 0420d 0421e 0501f 0529g 0606n 0608h 0621j 1101k 1225l 1226m
2099 0101a 0106b 0410c 0412d 0413e 0501f 0521g 0531h 0606n 0620j 1031k 1225l 1226m
"""
