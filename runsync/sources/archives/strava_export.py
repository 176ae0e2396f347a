"""Strava's bulk export ("Download or delete your account" → "Request your archive"): activities.csv and the files it
points to under activities/ (FIT, GPX or TCX, many gzipped). Each activity keeps its Strava id as a provenance
(strava:<id>) with Strava's name and sport, so a later API sync knows it and spends no call on its laps or streams.
An activity without a file (entered by hand: a WeightTraining session, a treadmill run) becomes a session from its
CSV row. The CSV's columns changed over the years and follow the account's language: they are found by name, in
English, German, French, Spanish, Italian, Dutch or Portuguese, or by what they hold; missing ones are tolerated.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import PurePosixPath

from runsync.config import Athlete
from runsync.errors import DecodeError
from runsync.model import Session, Source
from runsync.sources.archives import Archive, member_item
from runsync.sources.files import SUFFIXES
from runsync.sources.files.track import sport_of
from runsync.sources.items import ImportItem, Problem, Provenance, Skipped
from runsync.sources.strava.normalise import to_sport

HEADERS = {  # field → header names (accents and case ignored), in every language Strava exports
    "id": ("activity id", "aktivitats-id", "id de l'activite", "id de la actividad", "id attivita", "activiteit-id",
           "id da atividade", "id"),
    "date": ("activity date", "aktivitatsdatum", "datum der aktivitat", "date de l'activite", "fecha de la actividad",
             "data attivita", "activiteitsdatum", "data da atividade", "date"),
    "name": ("activity name", "name der aktivitat", "aktivitatsname", "nom de l'activite", "nombre de la actividad",
             "nome attivita", "naam activiteit", "activiteitsnaam", "nome da atividade", "name"),
    "type": ("activity type", "aktivitatsart", "sportart", "type d'activite", "tipo de actividad", "tipo di attivita",
             "activiteittype", "type activiteit", "tipo de atividade", "type"),
    "filename": ("filename", "dateiname", "nom du fichier", "nombre de archivo", "nome file", "bestandsnaam",
                 "nome do arquivo", "file"),
    "elapsed": ("elapsed time", "verstrichene zeit", "temps ecoule", "tiempo transcurrido", "tempo trascorso",
                "verstreken tijd", "tempo decorrido"),
    "moving": ("moving time", "bewegungszeit", "temps de deplacement", "tiempo en movimiento", "tempo in movimento",
               "beweegtijd", "tempo em movimento"),
    "distance": ("distance", "distanz", "distancia", "distanza", "afstand", "distancia"),
}  # fmt: skip
MONTHS = {  # localised month abbreviations → English, for the date column
    "janv": "Jan", "jan": "Jan", "ene": "Jan", "gen": "Jan", "jän": "Jan", "fév": "Feb", "fev": "Feb", "feb": "Feb",
    "févr": "Feb", "mär": "Mar", "mrz": "Mar", "mars": "Mar", "mar": "Mar", "mrt": "Mar", "avr": "Apr", "abr": "Apr",
    "apr": "Apr", "mai": "May", "may": "May", "mag": "May", "mei": "May", "juin": "Jun", "jun": "Jun", "giu": "Jun",
    "juil": "Jul", "jul": "Jul", "lug": "Jul", "août": "Aug", "aout": "Aug", "ago": "Aug", "aug": "Aug", "sept": "Sep",
    "sep": "Sep", "set": "Sep", "oct": "Oct", "okt": "Oct", "ott": "Oct", "out": "Oct", "nov": "Nov", "déc": "Dec",
    "dec": "Dec", "dic": "Dec", "dez": "Dec", "dez.": "Dec",
}  # fmt: skip
DATE_FORMATS = ("%b %d, %Y, %I:%M:%S %p", "%b %d, %Y %I:%M:%S %p", "%d %b %Y, %H:%M:%S", "%d %b %Y %H:%M:%S",
                "%d. %b %Y, %H:%M:%S", "%d.%m.%Y, %H:%M:%S", "%d.%m.%Y %H:%M:%S", "%d/%m/%Y, %H:%M:%S",
                "%d/%m/%Y %H:%M:%S", "%d-%m-%Y %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%SZ",
                "%m/%d/%Y, %I:%M:%S %p")  # fmt: skip
FILE_VALUE = re.compile(r"^activities/.+\.(fit|gpx|tcx)(\.gz)?$", re.IGNORECASE)


def is_strava_export(archive: Archive) -> bool:
    return find_csv(archive) is not None


def find_csv(archive: Archive) -> str | None:
    """activities.csv at the export's root (a zip may hold the export in one top folder)."""
    found = [n for n in archive.names() if PurePosixPath(n).name.lower() == "activities.csv"]
    return min(found, key=lambda n: n.count("/"), default=None)


def strava_export_items(archive: Archive, athlete: Athlete) -> Iterator[ImportItem]:
    csv_name = find_csv(archive)
    if csv_name is None:
        yield Problem(archive.label, "not a Strava export: no activities.csv")
        return
    root = csv_name[: -len("activities.csv")]
    try:
        table = read_table(archive.read(csv_name))
    except DecodeError as exc:
        yield Problem(f"{archive.label}:{csv_name}", str(exc))
        return
    members, listed = set(archive.names()), set()
    columns = find_columns(table[0], table[1:])
    for line, row in enumerate(table[1:], start=2):
        where = f"{archive.label}:{csv_name}: line {line}"
        found = _row(row, columns)
        if not found.get("id") or not found["id"].isdigit():
            yield Problem(where, f"no activity id in the row ({','.join(row)[:80]!r})")
            continue
        provenance = Provenance(Source("strava", found["id"], found.get("name")), found.get("name"),
                                _sport(found) if found.get("type") else None)  # fmt: skip
        if found.get("filename"):
            member = root + found["filename"]
            listed.add(member)
            if member not in members:
                yield Problem(f"{archive.label}:{member}", f"listed in activities.csv (activity {found['id']}) but "
                                                           "missing from the export")  # fmt: skip
                continue
            yield member_item(archive, member, athlete, provenance=provenance)
        else:
            try:
                yield row_session(found, athlete)
            except DecodeError as exc:
                yield Problem(where, str(exc))
    for member in archive.names():  # activity files the CSV does not list, and everything else
        if member in listed or member == csv_name:
            continue
        if member.lower().startswith(root + "activities/") and member.lower().endswith(SUFFIXES):
            yield member_item(archive, member, athlete)
        else:
            yield Skipped(f"{archive.label}:{member}")


def read_table(data: bytes) -> list[list[str]]:
    text = data.decode("utf-8-sig", errors="replace")
    rows = [r for r in csv.reader(io.StringIO(text)) if any(cell.strip() for cell in r)]
    if not rows:
        raise DecodeError("activities.csv is empty")
    return rows


def _plain(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text.strip().lower()) if not unicodedata.combining(c))


def find_columns(header: list[str], rows: list[list[str]]) -> dict[str, int]:
    """field → column index: by header name (the LAST of duplicated names: Strava repeats "Elapsed Time" and
    "Distance", the later ones in seconds and metres), else for id and filename by what the column holds."""
    names = [_plain(h) for h in header]
    found: dict[str, int] = {}
    for field, known in HEADERS.items():
        for candidate in known:
            matches = [i for i, n in enumerate(names) if n == candidate]
            if matches:
                found[field] = matches[-1] if field in ("elapsed", "distance") else matches[0]
                break
    found.setdefault("filename", _column_holding(rows, lambda v: bool(FILE_VALUE.match(v))))
    found.setdefault("id", _column_holding(rows, lambda v: v.isdigit() and len(v) >= 5))
    found["distance_is_km"] = int(len([n for n in names if n in HEADERS["distance"]]) < 2)  # one column: km
    return {k: v for k, v in found.items() if v is not None and v >= 0}


def _column_holding(rows: list[list[str]], test) -> int:  # noqa: ANN001
    sample = rows[:50]
    width = max((len(r) for r in sample), default=0)
    for i in range(width):
        values = [r[i].strip() for r in sample if i < len(r) and r[i].strip()]
        if values and sum(map(test, values)) >= 0.8 * len(values):
            return i
    return -1


def _row(row: list[str], columns: dict[str, int]) -> dict[str, str | bool]:
    found: dict[str, str | bool] = {"distance_is_km": bool(columns.get("distance_is_km"))}
    for field, index in columns.items():
        if field != "distance_is_km" and index < len(row) and row[index].strip():
            found[field] = row[index].strip()
    return found


LOCAL_TYPES = {  # the export's activity type in the account's language → the API's type
    "lauf": "Run", "laufen": "Run", "courseapied": "Run", "carrera": "Run", "corsa": "Run", "hardlopen": "Run",
    "corrida": "Run", "trailrun": "TrailRun", "traillauf": "TrailRun", "radfahrt": "Ride", "radfahren": "Ride",
    "velo": "Ride", "sortieavelo": "Ride", "ciclismo": "Ride", "fietsen": "Ride", "fietsrit": "Ride",
    "schwimmen": "Swim", "natation": "Swim", "natacion": "Swim", "nuoto": "Swim", "zwemmen": "Swim",
    "gehen": "Walk", "spaziergang": "Walk", "marche": "Walk", "caminata": "Walk", "camminata": "Walk",
    "wandelen": "Walk", "wanderung": "Hike", "randonnee": "Hike", "senderismo": "Hike", "escursionismo": "Hike",
    "krafttraining": "WeightTraining", "musculation": "WeightTraining", "entrenamientoconpesas": "WeightTraining",
    "allenamentoconipesi": "WeightTraining", "krachttraining": "WeightTraining", "musculacao": "WeightTraining",
}  # fmt: skip


def _sport(found: dict) -> str:
    """The export's activity type ("Weight Training", "Lauf", ...) as a runsync sport."""
    text = str(found.get("type") or "")
    key = re.sub(r"[^a-z]", "", _plain(text))
    kind = LOCAL_TYPES.get(key) or text.replace(" ", "")
    sport = to_sport({"type": kind, "name": found.get("name")})
    return sport if sport != "other" else sport_of(text, default="other")


def parse_date(text: str) -> datetime:
    """The export's activity date (UTC), in the account's language; DecodeError when no known form fits."""
    words = re.sub(r"([A-Za-zÀ-ÿ]+)\.?", lambda m: MONTHS.get(m.group(1).lower(), m.group(0)), text.strip())
    for form in DATE_FORMATS:
        try:
            return datetime.strptime(words, form).replace(tzinfo=UTC)
        except ValueError:
            continue
    raise DecodeError(f"cannot read the activity date {text!r}")


def _number(text: str | bool | None) -> float | None:
    if not isinstance(text, str) or not text:
        return None
    cleaned = text.replace("\u202f", "").replace(" ", "")
    cleaned = cleaned.replace(",", ".") if "," in cleaned and "." not in cleaned else cleaned.replace(",", "")
    try:
        return float(cleaned)
    except ValueError:
        return None


def row_session(found: dict, athlete: Athlete) -> Session:
    """An activity the export holds no file for, from its CSV row (strength work counts for the mileage-ramp rule)."""
    if not found.get("date"):
        raise DecodeError(f"activity {found['id']} has neither a file nor a date")
    start = parse_date(found["date"])
    offset = start.astimezone(athlete.tz).utcoffset()
    distance = _number(found.get("distance"))
    if distance is not None and found.get("distance_is_km"):
        distance *= 1000
    elapsed = _number(found.get("elapsed"))
    return Session(
        id=f"strava-{found['id']}", athlete=athlete.id, sport=_sport(found), start=start,
        utc_offset_s=int(offset.total_seconds()) if offset else 0, timezone=athlete.timezone,
        name=found.get("name"), elapsed_s=elapsed, moving_s=_number(found.get("moving")) or elapsed,
        distance_m=distance or None, sources=(Source("strava", found["id"], found.get("name")),),
    )  # fmt: skip
