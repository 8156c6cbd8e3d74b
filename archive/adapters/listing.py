"""Books as lists and scope checks see them: the latest version of each document with its school, class,
province, student and plan staff, filtered in SQL and paged by document id."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from typing import Any

from sqlalchemy import Row, Select, func, select

from ..clock import as_utc
from ..errors import UnknownDocumentError
from ..model import (
    BookEntry,
    BookQuery,
    DocumentKind,
    PublicVersion,
    PublicView,
    SchoolCounts,
    SignedFields,
    VersionStatus,
)
from ._sql import SqlBase
from .catalog import _version as version_of
from .tables import document_staff, document_versions, documents, record_versions, revisions, schools, students


class SqlBookIndex(SqlBase):
    def public_view(self, document_id: str) -> PublicView | None:
        """A document's versions and the record of its latest, or None when there is no such document."""
        query = (
            select(
                documents.c.kind,
                documents.c.school_code,
                documents.c.school_year,
                schools.c.name.label("school_name"),
                document_versions.c.version,
                document_versions.c.status,
                document_versions.c.sealed_at,
                record_versions.c.content_hash,
                record_versions.c.record_json,
            )
            .join(documents, documents.c.id == document_versions.c.document_id)
            .join(schools, schools.c.code == documents.c.school_code)
            .join(record_versions, record_versions.c.id == document_versions.c.record_version_id)
            .where(document_versions.c.document_id == document_id)
            .order_by(document_versions.c.version)
        )
        with self._read() as conn:
            rows = list(conn.execute(query))
        if not rows:
            return None
        last = rows[-1]
        return PublicView(
            document_id,
            DocumentKind(last.kind),
            last.school_code,
            last.school_name,
            last.school_year,
            tuple(
                PublicVersion(
                    int(r.version),
                    VersionStatus(r.status),
                    r.content_hash,
                    None if r.sealed_at is None else as_utc(r.sealed_at),
                )
                for r in rows
            ),
            str(last.record_json),
        )

    def books(self, query: BookQuery) -> list[BookEntry]:
        statement = _latest().order_by(documents.c.id).limit(query.limit)
        for column, value in (
            (documents.c.school_code, query.school_code),
            (documents.c.school_year, query.school_year),
            (documents.c.class_name, query.class_name),
            (documents.c.province, query.province),
            (documents.c.student_id, query.student_id),
            (document_versions.c.status, query.status.value if query.status else None),
        ):
            if value is not None:
                statement = statement.where(column == value)
        if query.staff_id is not None:
            named = select(document_staff.c.document_id).where(document_staff.c.staff_id == query.staff_id)
            statement = statement.where(documents.c.id.in_(named))
        if query.after is not None:
            statement = statement.where(documents.c.id > query.after)
        with self._read() as conn:
            rows = list(conn.execute(statement))
            ids = [row.document_id for row in rows]
            staff: dict[str, list[str]] = defaultdict(list)
            if ids:
                for link in conn.execute(
                    select(document_staff)
                    .where(document_staff.c.document_id.in_(ids))
                    .order_by(document_staff.c.staff_id)
                ):
                    staff[link.document_id].append(link.staff_id)
        return [_entry(row, tuple(staff[row.document_id])) for row in rows]

    def progress(
        self, school_code: str | None = None, province: str | None = None, school_year: str | None = None
    ) -> dict[str, dict[str, int]]:
        """How many books of each school are at each status (of their latest version): counts, no names."""
        latest = _latest().subquery()
        statement = select(latest.c.school_code, latest.c.status, func.count()).group_by(
            latest.c.school_code, latest.c.status
        )
        for column, value in (
            (latest.c.school_code, school_code),
            (latest.c.province, province),
            (latest.c.school_year, school_year),
        ):
            if value is not None:
                statement = statement.where(column == value)
        counts: dict[str, dict[str, int]] = defaultdict(dict)
        with self._read() as conn:
            for school, status, count in conn.execute(statement):
                counts[school][status] = int(count)
        return dict(counts)

    def signed_fields(
        self,
        school_code: str,
        school_year: str | None = None,
        class_name: str | None = None,
        document_ids: Collection[str] | None = None,
    ) -> list[SignedFields]:
        """The school's record books (latest versions, by document id; only `document_ids` when given) with the
        fields signed in each."""
        latest = (
            _latest()
            .add_columns(record_versions.c.record_json)
            .join(record_versions, record_versions.c.id == document_versions.c.record_version_id)
            .where(documents.c.school_code == school_code, documents.c.kind == DocumentKind.HOC_BA.value)
            .order_by(documents.c.id)
        )
        if school_year is not None:
            latest = latest.where(documents.c.school_year == school_year)
        if class_name is not None:
            latest = latest.where(documents.c.class_name == class_name)
        if document_ids is not None:
            latest = latest.where(documents.c.id.in_(sorted(document_ids)))
        rows = latest.subquery()
        signed = (
            select(rows.c.document_id, revisions.c.field)
            .join(revisions, revisions.c.document_version_id == rows.c.id)
            .where(revisions.c.field.is_not(None))
        )
        with self._read() as conn:
            books = list(conn.execute(select(rows)))
            fields: dict[str, set[str]] = defaultdict(set)
            for document_id, field in conn.execute(signed):
                fields[document_id].add(field)
        return [
            SignedFields(
                row.document_id,
                row.school_year,
                row.class_name,
                VersionStatus(row.status),
                str(row.record_json),
                frozenset(fields[row.document_id]),
            )
            for row in books
        ]

    def school_years(self, school_code: str | None = None, province: str | None = None) -> list[str]:
        """The school years that have books, newest first (of a school, or of a province's schools)."""
        statement = select(documents.c.school_year).distinct().order_by(documents.c.school_year.desc())
        if school_code is not None:
            statement = statement.where(documents.c.school_code == school_code)
        if province is not None:
            statement = statement.where(documents.c.province == province)
        with self._read() as conn:
            return list(conn.scalars(statement))

    def school_counts(self, province: str, school_year: str | None = None) -> list[SchoolCounts]:
        """Every school of the province with its books by status, by district then school code."""
        latest = _latest().where(documents.c.province == province)
        if school_year is not None:
            latest = latest.where(documents.c.school_year == school_year)
        rows = latest.add_columns(documents.c.district).subquery()
        statement = (
            select(rows.c.school_code, schools.c.name, rows.c.district, rows.c.status, func.count())
            .join(schools, schools.c.code == rows.c.school_code)
            .group_by(rows.c.school_code, schools.c.name, rows.c.district, rows.c.status)
        )
        found: dict[tuple[str, str, str | None], dict[str, int]] = defaultdict(dict)
        with self._read() as conn:
            for code, name, district, status, count in conn.execute(statement):
                found[(code, name, district)][status] = int(count)
        ordered = sorted(found.items(), key=lambda item: (item[0][2] or "", item[0][0]))
        return [SchoolCounts(code, name, district, counts) for (code, name, district), counts in ordered]

    def work_done(self) -> tuple[int, int]:
        """(signatures kept, books sealed) in the whole archive: what the operators' counters show."""
        with self._read() as conn:
            signatures = conn.scalar(select(func.count()).select_from(revisions).where(revisions.c.field.is_not(None)))
            sealed = conn.scalar(
                select(func.count())
                .select_from(document_versions)
                .where(document_versions.c.status.in_([VersionStatus.SEALED.value, VersionStatus.SUPERSEDED.value]))
            )
        return int(signatures or 0), int(sealed or 0)

    def book(self, document_id: str) -> BookEntry:
        with self._read() as conn:
            row = conn.execute(_latest().where(documents.c.id == document_id)).first()
            if row is None:
                raise UnknownDocumentError("live", document_id=document_id)
            staff = tuple(
                conn.scalars(
                    select(document_staff.c.staff_id)
                    .where(document_staff.c.document_id == document_id)
                    .order_by(document_staff.c.staff_id)
                )
            )
        return _entry(row, staff)


def _latest() -> Select[Any]:
    newest = (
        select(func.max(document_versions.c.version))
        .where(document_versions.c.document_id == documents.c.id)
        .correlate(documents)
        .scalar_subquery()
    )
    return (
        select(
            document_versions,
            documents.c.kind,
            documents.c.school_code,
            documents.c.school_year,
            documents.c.class_name,
            documents.c.province,
            documents.c.student_id,
            students.c.name.label("student_name"),
        )
        .join(documents, documents.c.id == document_versions.c.document_id)
        .join(students, students.c.id == documents.c.student_id)
        .where(document_versions.c.version == newest)
    )


def _entry(row: Row[Any], staff_ids: tuple[str, ...]) -> BookEntry:
    return BookEntry(
        version=version_of(row),
        school_code=row.school_code,
        school_year=row.school_year,
        class_name=row.class_name,
        province=row.province,
        student_id=row.student_id,
        student_name=row.student_name,
        kind=DocumentKind(row.kind),
        staff_ids=staff_ids,
    )
