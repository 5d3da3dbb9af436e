"""Subscriber import from CSV, at list scale: one streaming pass, bulk upserts, one transaction.

A reader thread parses and validates the file in chunks of up to ``CHUNK_ROWS`` rows, and writes each as
CSV for COPY, while the caller's thread writes the chunk before (the two overlap on two cores); each chunk
goes to temporary staging tables and its people are upserted, then a handful of set-based statements
write the subscribers, their product lines and the consent ledger. Memory stays flat and the cost per row
is a share of a statement, not a round trip.
"""

import codecs
import csv
import functools
import io
import queue
import threading
from dataclasses import dataclass, field

import charset_normalizer
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from home.csv import copy_rows
from home.identity import normalise_email
from home.models import Consent, Language, Organisation, Person, ProductLine
from home.services.people import organisations_create_missing, people_ids_to_table, people_upsert_from_table

from ..models import Subscriber
from ..transport import address_problem
from . import NewsletterError
from .subscribers import CONSENT_VERSION, consent_text

CHUNK_ROWS = 10000
FIRST_CHUNK_ROWS = 1000
ANALYZE_AFTER_ORGANISATIONS = 50  # as autovacuum_analyze_threshold
IMPORT_COLUMNS = ["email", "name", "company", "language", "product_lines"]
_BLOCK = 1 << 20
# Column -> (longest value the database keeps, the reason given when a row's value is longer).
_IMPORT_LIMITS = {
    "name": (Person._meta.get_field("name").max_length, gettext_lazy("name too long (at most %(limit)s characters)")),
    "company": (Organisation._meta.get_field("name").max_length,
                gettext_lazy("company name too long (at most %(limit)s characters)")),
    "email": (Person._meta.get_field("email").max_length, gettext_lazy("email address too long (at most %(limit)s characters)")),
}


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    rejected: list = field(default_factory=list)  # (line number, email, reason)
    kept_status: list = field(default_factory=list)  # (line number, email, status) not reactivated
    preview: list = field(default_factory=list)  # the first rows as read: (line number, {column: value})
    encoding: str = ""

    @property
    def ok(self):
        return self.created + self.updated


@dataclass(slots=True)
class _Row:
    number: int
    email: str
    name: str  # spaces collapsed
    company: str  # spaces collapsed
    company_key: str  # case-folded, as Organisation.name_key
    language: str
    slugs: list


# Reading ------------------------------------------------------------------------------------------


def _first_undecodable_line(binary, encoding: str) -> int | None:
    """The line of the first byte ``encoding`` cannot decode, or None; reads the file once, in blocks."""
    decoder = codecs.getincrementaldecoder(encoding)()
    binary.seek(0)
    newlines = 0
    while True:
        block = binary.read(_BLOCK)
        try:
            decoder.decode(block, final=not block)
        except UnicodeDecodeError as exc:
            # The decoder may hold back a few bytes of an unfinished character: count lines up to them.
            position = max(0, min(exc.start, len(block)))
            return newlines + block.count(b"\n", 0, position) + 1
        if not block:
            return None
        newlines += block.count(b"\n")


def _decode_error(encoding: str, line: int) -> str:
    return _("The file is not readable as %(encoding)s (line %(line)s). Save it as CSV UTF-8, or give its "
             "encoding (for example GB18030).") % {"encoding": encoding, "line": line}


def import_encoding(binary, encoding: str = "") -> str:
    """The encoding of an uploaded CSV: ``encoding`` when given (checked), else UTF-8 (with or without BOM),
    else GB18030 (a superset of GBK, what Excel on Chinese Windows saves), else what charset-normalizer detects."""
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise NewsletterError(_("Unknown encoding “%(encoding)s”.") % {"encoding": encoding})
        line = _first_undecodable_line(binary, encoding)
        if line is not None:
            raise NewsletterError(_decode_error(encoding, line))
        return encoding
    utf8_line = _first_undecodable_line(binary, "utf-8-sig")
    if utf8_line is None:
        return "utf-8-sig"
    if _first_undecodable_line(binary, "gb18030") is None:
        return "gb18030"
    binary.seek(0)
    best = charset_normalizer.from_bytes(binary.read(_BLOCK)).best()
    if best is None or _first_undecodable_line(binary, best.encoding) is not None:
        raise NewsletterError(_decode_error("UTF-8", utf8_line))
    return best.encoding


def _parse(reader, header: list, lines: dict, report: ImportReport, preview_rows: int):
    """Validated rows, one at a time, numbered by the line they start on; rejected ones go to the report
    with their reason."""
    seen = {}  # normalised address -> line where it first appears
    languages = frozenset(Language.values)
    position = {name: i for i, name in enumerate(header)}
    columns = [position.get(name) for name in IMPORT_COLUMNS]
    limits = [(IMPORT_COLUMNS.index(column), limit, reason) for column, (limit, reason) in _IMPORT_LIMITS.items()]
    previous = reader.line_num
    for raw in reader:
        number, previous = previous + 1, reader.line_num
        if not raw:
            continue  # a blank line
        values = [raw[i].strip() if i is not None and i < len(raw) else "" for i in columns]
        if len(report.preview) < preview_rows:
            report.preview.append((number, dict(zip(IMPORT_COLUMNS, values, strict=True))))
        email, name, company, language, product_lines = values
        language = (language or Language.ZH_HANS).lower().replace("_", "-")
        if language in {"zh", "zh-cn", "zh-hans-cn"}:
            language = Language.ZH_HANS
        if language not in languages:
            report.rejected.append((number, email, _("unknown language “%(code)s”") % {"code": language}))
            continue
        slugs = []
        if product_lines:
            slugs = [s.strip() for s in product_lines.replace("|", ";").replace(",", ";").split(";") if s.strip()]
            unknown = [s for s in slugs if s not in lines]
            if unknown:
                report.rejected.append((number, email, _("unknown product line “%(slug)s”") % {"slug": unknown[0]}))
                continue
        too_long = next((str(reason) % {"limit": limit} for i, limit, reason in limits if len(values[i]) > limit), "")
        if too_long:
            report.rejected.append((number, email, too_long))
            continue
        try:
            key = normalise_email(email)
        except ValidationError:
            key = None
        if not key:
            report.rejected.append((number, email, _("not a valid email address") if email else _("no email address")))
            continue
        if problem := address_problem(key):
            report.rejected.append((number, email, problem))
            continue
        # Checked before anything is stored, so a duplicate row changes nothing (not even the name).
        if key in seen:
            report.rejected.append((number, email, _("duplicate of line %(line)s (the same address)")
                                    % {"line": seen[key]}))
            continue
        seen[key] = number
        company = " ".join(company.split())
        yield _Row(number, key, " ".join(name.split()), company, company.casefold(), language, slugs)


# Writing ------------------------------------------------------------------------------------------

_ROWS = "newsletter_import_rows"  # temporary tables, gone with the transaction or dropped at its end
_LINES = "newsletter_import_lines"


def _stage_create(cursor):
    cursor.execute(f"CREATE TEMPORARY TABLE {_ROWS} (line integer PRIMARY KEY, email varchar(254) NOT NULL, "
                   "name varchar(120) NOT NULL, company_key varchar(200) NOT NULL, language varchar(10) NOT NULL, "
                   "person_id integer NULL, previous varchar(20) NULL)")
    cursor.execute(f"CREATE TEMPORARY TABLE {_LINES} (line integer NOT NULL, productline_id integer NOT NULL)")


@dataclass(slots=True)
class _Chunk:
    """A chunk of valid rows as the writer stages them, prepared by the reader thread."""
    first: int  # line numbers
    last: int
    companies: list  # the names given, each once
    rows: list  # (line, email, name, company key, language)
    lines: list  # (line, product line id)
    rows_csv: bytes = b""  # the same two as CSV, for COPY (PostgreSQL)
    lines_csv: bytes = b""


def _chunk(rows: list, lines: dict, *, as_csv: bool) -> _Chunk:
    chunk = _Chunk(rows[0].number, rows[-1].number, list({row.company: None for row in rows if row.company}),
                   [(row.number, row.email, row.name, row.company_key, row.language) for row in rows],
                   [(row.number, lines[slug].pk) for row in rows for slug in dict.fromkeys(row.slugs)])
    if as_csv:
        chunk.rows_csv, chunk.lines_csv = copy_rows(chunk.rows), copy_rows(chunk.lines)
    return chunk


def _stage(cursor, chunk: _Chunk):
    """Add a chunk of valid rows to the staging tables (PostgreSQL: COPY; elsewhere: executemany)."""
    if connection.vendor == "postgresql":
        # An empty CSV field is NULL unless FORCE_NOT_NULL: the name and company key may be ''.
        with cursor.copy(f"COPY {_ROWS} (line, email, name, company_key, language) FROM STDIN "
                         "WITH (FORMAT csv, FORCE_NOT_NULL (email, name, company_key, language))") as copy:
            copy.write(chunk.rows_csv)
        with cursor.copy(f"COPY {_LINES} (line, productline_id) FROM STDIN WITH (FORMAT csv)") as copy:
            copy.write(chunk.lines_csv)
    else:
        cursor.executemany(f"INSERT INTO {_ROWS} (line, email, name, company_key, language) "  # noqa: S608
                           "VALUES (%s, %s, %s, %s, %s)", chunk.rows)
        cursor.executemany(f"INSERT INTO {_LINES} (line, productline_id) VALUES (%s, %s)", chunk.lines)  # noqa: S608


def _consents_record(cursor, *, source: str, agreed_text: str):
    """One ledger entry for every address this import activates (new or waiting for confirmation)."""
    consent = connection.ops.quote_name(Consent._meta.db_table)
    for language in Language.values:
        cursor.execute(
            f"INSERT INTO {consent} (person_id, purpose, granted, source, text, text_version, created_at) "  # noqa: S608
            f"SELECT person_id, %s, %s, %s, %s, %s, %s FROM {_ROWS} "
            "WHERE language = %s AND (previous IS NULL OR previous = %s)",
            [Consent.Purpose.JOURNAL, True, f"import: {source}"[:100], agreed_text or consent_text(language),
             CONSENT_VERSION, timezone.now(), language, Subscriber.Status.PENDING])


def _write(cursor, *, source: str, agreed_text: str, report: ImportReport):
    """Set-based writes from the staging tables: people, subscribers, their product lines, consents."""
    subscriber = connection.ops.quote_name(Subscriber._meta.db_table)
    through = connection.ops.quote_name(Subscriber.product_lines.through._meta.db_table)
    now = timezone.now()
    people_ids_to_table(table=_ROWS)
    cursor.execute(f"UPDATE {_ROWS} AS r SET previous = s.status FROM {subscriber} AS s WHERE s.person_id = r.person_id")  # noqa: S608
    statuses = dict(Subscriber.Status.choices)
    cursor.execute(f"SELECT line, email, previous FROM {_ROWS} WHERE previous NOT IN (%s, %s) ORDER BY line",  # noqa: S608
                   [Subscriber.Status.ACTIVE, Subscriber.Status.PENDING])
    report.kept_status = [(line, email, str(statuses.get(status, status))) for line, email, status in cursor.fetchall()]
    cursor.execute(f"SELECT COUNT(*), COUNT(previous) FROM {_ROWS}")  # noqa: S608
    total, known = cursor.fetchone()
    report.created, report.updated = total - known, known
    active, pending = Subscriber.Status.ACTIVE, Subscriber.Status.PENDING
    cursor.execute(
        f"INSERT INTO {subscriber} (person_id, status, language, source, pending_consent_text, soft_bounces, "  # noqa: S608
        f"created_at, updated_at, confirmed_at) SELECT person_id, %s, language, %s, '', 0, %s, %s, %s FROM {_ROWS} "
        f"WHERE true ON CONFLICT (person_id) DO UPDATE SET language = excluded.language, "
        f"updated_at = excluded.updated_at, "
        f"confirmed_at = CASE WHEN {subscriber}.status = %s THEN excluded.confirmed_at "
        f"ELSE {subscriber}.confirmed_at END, "
        f"status = CASE WHEN {subscriber}.status = %s THEN %s ELSE {subscriber}.status END",
        [active, f"import: {source}"[:100], now, now, now, pending, pending, active])
    cursor.execute(f"DELETE FROM {through} WHERE subscriber_id IN (SELECT s.id FROM {subscriber} s "  # noqa: S608
                   f"JOIN {_ROWS} r ON s.person_id = r.person_id WHERE r.previous IS NOT NULL)")
    cursor.execute(f"INSERT INTO {through} (subscriber_id, productline_id) SELECT s.id, l.productline_id "  # noqa: S608
                   f"FROM {_LINES} l JOIN {_ROWS} r ON r.line = l.line JOIN {subscriber} s ON s.person_id = r.person_id")
    _consents_record(cursor, source=source, agreed_text=agreed_text)


class _ReadAhead:
    """The file's validated rows in chunks, read and prepared (``prepare(rows)``) by a thread of its own while
    the caller writes the chunk before: reading is Python work and writing waits on the database, so on two
    cores they overlap. The first chunks are small (they double up to ``size``), so that the writer starts
    soon and does not wait for the reader. At most ``depth`` chunks wait, so memory stays flat; an error
    while reading is raised to the caller."""

    def __init__(self, rows, size: int, prepare, depth: int = 2):
        self._rows, self._size, self._prepare = rows, size, prepare
        self._queue = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self._language = translation.get_language()  # the reasons are given in the caller's language
        self._thread = threading.Thread(target=self._read, name="subscriber-import-reader", daemon=True)

    def _put(self, item) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _read(self):
        try:
            with translation.override(self._language):
                chunk, size = [], min(self._size, FIRST_CHUNK_ROWS)
                for row in self._rows:
                    chunk.append(row)
                    if len(chunk) >= size:
                        if not self._put(self._prepare(chunk)):
                            return
                        chunk, size = [], min(2 * size, self._size)
                if chunk:
                    self._put(self._prepare(chunk))
        except Exception as exc:  # noqa: BLE001 - raised in the caller's thread
            self._put(exc)
        self._put(None)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()  # when the caller stops early, the reader gives up instead of waiting for room
        self._thread.join()

    def __iter__(self):
        while (item := self._queue.get()) is not None:
            if isinstance(item, Exception):
                raise item
            yield item


def subscribers_import(*, stream, source: str, agreed_text: str = "", encoding: str = "", dry_run: bool = False,
                       preview_rows: int = 0, chunk_rows: int = 0) -> ImportReport:
    """Import subscribers from CSV (columns email, name, company, language, product_lines).

    ``stream`` is the file's bytes or a binary file. All or nothing: one transaction, so a crash leaves
    nothing half imported; rejected rows are reported with their reason and the rest imported.
    Importing again updates (language; name and company where given), never duplicates, and never
    reactivates an address that unsubscribed, bounced or complained. ``dry_run`` does everything and
    rolls it back: the report says what the import would do.

    The file is read once, in chunks of ``chunk_rows`` validated rows, by a reader thread; meanwhile each
    chunk read goes to temporary staging tables (COPY on PostgreSQL) and its people are upserted. Then a
    fixed number of set-based statements write the rest.
    """
    chunk_rows = chunk_rows or CHUNK_ROWS
    binary = io.BytesIO(bytes(stream)) if isinstance(stream, bytes | bytearray) else stream
    report = ImportReport(encoding=import_encoding(binary, encoding))
    binary.seek(0)
    text = io.TextIOWrapper(binary, encoding=report.encoding, newline="")
    try:
        reader = csv.reader(text)
        header = [h.strip().lower() for h in next(reader, [])]
        if "email" not in header:
            raise NewsletterError(_("The file needs a header row with at least the column: email"))
        lines = {line.slug: line for line in ProductLine.objects.all()}
        rows = _parse(reader, header, lines, report, preview_rows)
        prepare = functools.partial(_chunk, lines=lines, as_csv=connection.vendor == "postgresql")
        with transaction.atomic(), connection.cursor() as cursor, _ReadAhead(rows, chunk_rows, prepare) as chunks:
            _stage_create(cursor)
            new_organisations = 0
            for number, chunk in enumerate(chunks):
                _stage(cursor, chunk)
                if number == 0 and connection.vendor == "postgresql":
                    # A temporary table has no statistics: without them the planner takes the first chunks
                    # for a few rows. The later chunks' sizes it scales from these.
                    cursor.execute(f"ANALYZE {_ROWS}")
                new_organisations += organisations_create_missing(names=chunk.companies)
                people_upsert_from_table(table=_ROWS, lines=(chunk.first, chunk.last))
            if connection.vendor == "postgresql":
                cursor.execute(f"ANALYZE {_ROWS}")  # a temporary table has no statistics for the planner
                if new_organisations >= ANALYZE_AFTER_ORGANISATIONS:
                    # The people's foreign-key checks look each organisation up with a plan made from the
                    # table's statistics; from before the import, they can describe a table small enough to
                    # scan, and each check then reads every organisation (3 times as slow, measured). Autovacuum
                    # cannot refresh them: it does not see rows before the commit.
                    cursor.execute(f"ANALYZE {connection.ops.quote_name(Organisation._meta.db_table)}")
            _write(cursor, source=source, agreed_text=agreed_text, report=report)
            if connection.vendor == "postgresql":
                # Check the deferred foreign keys now, inside the import (and its dry run), not at commit.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            cursor.execute(f"DROP TABLE {_ROWS}")
            cursor.execute(f"DROP TABLE {_LINES}")
            if dry_run:
                transaction.set_rollback(True)
    except csv.Error as exc:
        raise NewsletterError(_("The file is not a readable CSV (line %(line)s): %(error)s")
                              % {"line": reader.line_num, "error": exc})
    finally:
        text.detach()  # leave the caller's file open
    return report
