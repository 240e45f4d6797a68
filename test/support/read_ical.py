"""Reads an iCalendar text from stdin with Python's `icalendar` and prints its events as JSON.

One of the three independent parsers the calendar tests run (test/support/ical-parsers.ts).
Each event: uid, summary, the start and end as ISO 8601 with their UTC offset, and the TZID of
DTSTART ("UTC" for a UTC time), so the test can compare instants and zones.
"""

import json
import sys

from icalendar import Calendar


def when(event, name):
    prop = event[name]
    value = event.decoded(name)
    return {"iso": value.isoformat(), "zone": str(prop.params.get("TZID", "UTC")), "local": prop.to_ical().decode()}


calendar = Calendar.from_ical(sys.stdin.buffer.read())
events = [
    {"uid": str(e["UID"]), "summary": str(e["SUMMARY"]), "start": when(e, "DTSTART"), "end": when(e, "DTEND")}
    for e in calendar.walk("VEVENT")
]
print(json.dumps({"name": str(calendar.get("X-WR-CALNAME", "")), "events": events}))
