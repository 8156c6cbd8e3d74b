"""Who gets a development certificate: every staff member and the school's seal, from records or a staff file."""

from __future__ import annotations

import json
from pathlib import Path

from records import load_file

from .errors import PeopleFileError
from .service import Person


def people_from_records(records_file: Path) -> tuple[str, list[Person]]:
    """The school's name, and every staff member of the valid records with the school's seal."""
    records = [r.record for r in load_file(records_file).records if r.record]
    if not records:
        raise PeopleFileError(
            "people_from_records",
            records_file=records_file,
            file=str(records_file),
        )
    people: dict[str, Person] = {}
    for record in records:
        for member in record.staff:
            people[member.id] = Person(member.id, member.full_name)
        seal = f"school:{record.school.code}"
        people[seal] = Person(seal, record.school.name)
    return records[0].school.name, list(people.values())


def people_from_staff(staff_file: Path) -> tuple[str, list[Person]]:
    """`{"school": {"code", "name"}, "staff": [{"id", "full_name", ...}]}`."""
    try:
        data = json.loads(staff_file.read_text(encoding="utf-8"))
        school = data["school"]
        people = [Person(str(m["id"]), str(m["full_name"])) for m in data["staff"]]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise PeopleFileError(
            "people_from_staff",
            staff_file=staff_file,
            exc=str(exc),
            file=str(staff_file),
        ) from None
    people.append(Person(f"school:{school['code']}", str(school["name"])))
    return str(school["name"]), people
