"""Cron expressions and time zones of schedules, read the way crontab(5) reads them.

APScheduler numbers the days of the week from Monday (0); crontab from Sunday (0 or 7).
The day-of-week field is therefore expanded here into day names, so ``0 8 * * 1`` runs on
Mondays as it would in a crontab. The day-of-month and day-of-week fields must both match
when both are restricted (crontab runs when either matches).
"""

from __future__ import annotations

import functools
import re
import zoneinfo

import tzlocal
from apscheduler.triggers.cron import CronTrigger

from server.services.errors import InvalidInput

MAX_CRON = 100
DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
_NUMBER = re.compile(r"\d{1,2}")


def trigger(cron: str, timezone: str) -> CronTrigger:
    """Return the trigger of a 5-field crontab expression in an IANA time zone; raise
    InvalidInput naming ``cron`` or ``timezone`` when either is not valid."""
    zone = zone_of(timezone)
    fields = cron.split() if isinstance(cron, str) and len(cron) <= MAX_CRON else []
    if len(fields) != 5:
        raise InvalidInput(
            "cron: write five fields: minute, hour, day of month, month, day of week.",
            field="cron",
        )
    minute, hour, day, month, weekday = fields
    try:
        return CronTrigger(
            minute=minute, hour=hour, day=day, month=month,
            day_of_week=weekdays(weekday), timezone=zone,
        )  # fmt: skip
    except ValueError as exc:
        raise InvalidInput("cron: {problem}", field="cron", problem=str(exc)) from exc


def weekdays(field: str) -> str:
    """Return a crontab day-of-week field as APScheduler day names (``*`` kept as it is);
    raise ValueError when it is not one."""
    if field == "*":
        return field
    days: set[int] = set()
    for part in field.lower().split(","):
        body, slash, step_text = part.partition("/")
        step = int(step_text) if slash and step_text.isdigit() else 0 if slash else 1
        if step < 1:
            raise ValueError(f"the step of {part!r} is not a positive number")
        if body == "*":
            low, high = 0, 6
        elif "-" in body:
            first, last = body.split("-", 1)
            low, high = _day(first), _day(last)
        else:
            low = _day(body)
            high = 7 if slash else low
        if low > high:
            raise ValueError(f"the range {part!r} runs backwards")
        days |= {day % 7 for day in range(low, high + 1, step)}
    return ",".join(DAY_NAMES[day] for day in sorted(days))


def _day(text: str) -> int:
    """Return a day of week (Sunday 0, also 7) from a number or a three-letter name."""
    if text in DAY_NAMES:
        return DAY_NAMES.index(text)
    if _NUMBER.fullmatch(text) and int(text) <= 7:
        return int(text)
    raise ValueError(f"{text!r} is not a day of the week (0-7 or sun-sat)")


def zone_of(name: str) -> zoneinfo.ZoneInfo:
    """Return the time zone of an IANA name; raise InvalidInput (``timezone``) otherwise."""
    if not isinstance(name, str) or name not in _zone_names():
        raise InvalidInput(
            "timezone: {value!r} is not a time zone name such as Europe/Rome or UTC.",
            field="timezone",
            value=str(name)[:64],
        )
    return zoneinfo.ZoneInfo(name)


@functools.cache
def _zone_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones()) | {"UTC"}


def local_zone() -> str:
    """Return the name of the server's time zone, UTC when it has none."""
    try:
        name = tzlocal.get_localzone_name()
    except Exception:  # tzlocal reads system files that may be missing or odd
        name = None
    return name if name in _zone_names() else "UTC"
