"""Dates of what an article reports, read against the day it was published: "just days ago",
"two days later", "on Monday", "January 27"; approximate where the article is vague."""

from __future__ import annotations

import datetime as dt
import re
from typing import Final

_NUMBERS: Final = {
    "a": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
}
_MONTHS: Final = {
    name: index
    for index, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_WEEKDAYS: Final = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_COUNT: Final = r"(\d{1,4}|a|one|two|three|four|five|six|seven|eight|nine|ten)"
_DAYS_AGO: Final = re.compile(rf"\b{_COUNT} days? ago\b", re.I)
_SOME_DAYS_AGO: Final = re.compile(r"\b(?:just |a few |several )?days ago\b", re.I)
_DAYS_LATER: Final = re.compile(rf"\b{_COUNT} days? later\b|\bthe (next|following) day\b", re.I)
_MONTH_DAY: Final = re.compile(r"\b([A-Z][a-z]{2,8})\.? (\d{1,2})(?:st|nd|rd|th)?(?:, (\d{4}))?\b")
_WEEKDAY: Final = re.compile(r"\bon (" + "|".join(_WEEKDAYS) + r")\b", re.I)


class DateResolver:
    """Resolves a sentence's date against the article's date and the previous dated fact."""

    def __init__(self, published_on: dt.date) -> None:
        self.published_on = published_on
        self.last = published_on

    def resolve(self, sentence: str) -> tuple[dt.date, bool]:
        """(date, approximate) of what a sentence reports."""
        date, approximate = self._read(sentence)
        date = min(date, self.published_on)
        if not approximate or date != self.published_on:
            self.last = date
        return date, approximate

    def _read(self, sentence: str) -> tuple[dt.date, bool]:
        if match := _DAYS_AGO.search(sentence):
            return _shift(self.published_on, -_count(match.group(1))), False
        if _SOME_DAYS_AGO.search(sentence):
            return _shift(self.published_on, -3), True
        if match := _DAYS_LATER.search(sentence):
            days = _count(match.group(1)) if match.group(1) else 1
            return _shift(self.last, days), False
        if re.search(r"\byesterday\b", sentence, re.I):
            return _shift(self.published_on, -1), False
        if re.search(r"\blast week\b|\bearlier this week\b", sentence, re.I):
            return _shift(self.published_on, -7), True
        for match in _MONTH_DAY.finditer(sentence):
            month = _MONTHS.get(match.group(1).lower())
            if month is None:
                continue
            year = int(match.group(3)) if match.group(3) else self.published_on.year
            try:
                date = dt.date(year, month, int(match.group(2)))
            except ValueError:
                continue
            if date > self.published_on and not match.group(3):
                date = date.replace(year=year - 1)
            return date, False
        if match := _WEEKDAY.search(sentence):
            wanted = _WEEKDAYS.index(match.group(1).lower())
            back = (self.published_on.weekday() - wanted) % 7
            return _shift(self.published_on, -back), False
        return self.published_on, True


def _shift(date: dt.date, days: int) -> dt.date:
    """A date moved by some days, kept as it is where that leaves the calendar."""
    try:
        return date + dt.timedelta(days=days)
    except OverflowError:
        return date


def _count(word: str) -> int:
    """A small count written in digits or words."""
    return int(word) if word.isdigit() else _NUMBERS[word.lower()]
