"""CSV import and export of the directory (columns documented in referents/README-import.md).

The import is all-or-nothing: every row is checked first; one bad row and nothing is written, and the report
lists every bad row with its line number and the reason, in French. A valid file is merged: a person already
known by e-mail has their directory entry updated (their coverages replaced by those of the file), a new
person gets an account (no usable password) with the referent role.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from tigre.accounts.models import Centre, Title
from tigre.lib.specialties import Specialty

from .models import Coverage, OrganCategory, Referent
from .selectors import export_rows, fold
from .services import referent_role_group

# Canonical column names, in the order of the template and of the export.
COLUMNS: list[str] = [
    "email",
    "nom",
    "prenom",
    "titre",
    "specialite",
    "centre",
    "ville",
    "titulaire",
    "suppleant",
    "urgences",
    "telephone",
    "email_contact",
    "actif",
    "remarques",
]
REQUIRED_COLUMNS = ["email", "nom", "prenom", "specialite", "centre"]
# Other spellings met in spreadsheets, after folding (lower case, no accents, spaces and dashes as "_").
ALIASES: dict[str, str] = {
    "e_mail": "email",
    "mail": "email",
    "courriel": "email",
    "adresse_email": "email",
    "prenoms": "prenom",
    "nom_de_famille": "nom",
    "civilite": "titre",
    "specialty": "specialite",
    "etablissement": "centre",
    "titulaires": "titulaire",
    "categories_titulaire": "titulaire",
    "suppleants": "suppleant",
    "categories_suppleant": "suppleant",
    "urgent": "urgences",
    "tel": "telephone",
    "téléphone": "telephone",
    "email_de_contact": "email_contact",
    "e_mail_contact": "email_contact",
    "actifs": "actif",
    "notes": "remarques",
}
TRUE_WORDS = {"oui", "o", "yes", "y", "1", "vrai", "true", "x"}
FALSE_WORDS = {"non", "n", "no", "0", "faux", "false"}
TITLES = {"dr": Title.DR, "docteur": Title.DR, "pr": Title.PR, "professeur": Title.PR, "m": Title.MR, "mme": Title.MRS}
MAX_LENGTHS = {"nom": 150, "prenom": 150, "telephone": 32}
EXAMPLE_ROWS = [
    {
        "email": "jeanne.exemple@chru-nancy.fr",
        "nom": "Exemple",
        "prenom": "Jeanne",
        "titre": "Dr",
        "specialite": "Cardiologie",
        "centre": "CHRU de Nancy",
        "ville": "Nancy",
        "titulaire": "heart",
        "suppleant": "",
        "urgences": "oui",
        "telephone": "03 83 00 00 00",
        "email_contact": "",
        "actif": "oui",
        "remarques": "",
    },
    {
        "email": "paul.modele@chu-reims.fr",
        "nom": "Modèle",
        "prenom": "Paul",
        "titre": "Pr",
        "specialite": "Médecine interne",
        "centre": "CHU de Reims",
        "ville": "Reims",
        "titulaire": "Autre / systémique",
        "suppleant": "musculoskeletal, blood",
        "urgences": "non",
        "telephone": "",
        "email_contact": "secretariat.medecine-interne@chu-reims.fr",
        "actif": "oui",
        "remarques": "Joignable le matin",
    },
]


class ImportFileError(Exception):
    """The file as a whole cannot be read (encoding, header)."""


@dataclass
class RowError:
    line: int
    reasons: list[str]


@dataclass
class ParsedRow:
    line: int
    email: str
    last_name: str
    first_name: str
    title: str
    specialty: str
    centre: Centre
    primary: list[OrganCategory]
    backup: list[OrganCategory]
    takes_urgent: bool
    phone: str
    contact_email: str
    active: bool
    notes: str


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    file_errors: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.file_errors and not self.errors


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM) first; otherwise Windows-1252, as French spreadsheets save "CSV"."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            _("Encodage du fichier non reconnu : enregistrez-le en CSV UTF-8 (ou Windows-1252).")
        ) from exc


def _column_key(name: str) -> str:
    key = fold(name.strip().strip('"')).replace("-", "_").replace(" ", "_").replace(".", "")
    return ALIASES.get(key, key)


def _rows(text: str) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row) for each non-blank row; the delimiter (";", "," or tab) is read from the header."""
    first_line = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, None)
    if not header or not any(cell.strip() for cell in header):
        raise ImportFileError(_("Le fichier est vide : la première ligne doit porter les noms des colonnes."))
    keys = [_column_key(name) for name in header]
    unknown = [name for name, key in zip(header, keys, strict=True) if key not in COLUMNS and name.strip()]
    if unknown:
        raise ImportFileError(
            _("Colonne(s) inconnue(s) : %(names)s. Colonnes possibles : %(columns)s.")
            % {"names": ", ".join(f"« {n} »" for n in unknown), "columns": ", ".join(COLUMNS)}
        )
    missing = [c for c in REQUIRED_COLUMNS if c not in keys]
    if missing:
        raise ImportFileError(_("Colonne(s) obligatoire(s) absente(s) : %(names)s.") % {"names": ", ".join(missing)})
    duplicated = sorted({k for k in keys if k and keys.count(k) > 1})
    if duplicated:
        raise ImportFileError(_("Colonne(s) en double : %(names)s.") % {"names": ", ".join(duplicated)})
    for cells in reader:
        if not any(cell.strip() for cell in cells):
            continue
        row = {key: (cells[i].strip() if i < len(cells) else "") for i, key in enumerate(keys) if key}
        if len(cells) > len(keys) and any(c.strip() for c in cells[len(keys) :]):
            row["__extra__"] = "1"
        yield reader.line_num, row


class _Lookups:
    """Everything a row is checked against, read once (no query per row)."""

    def __init__(self) -> None:
        self.categories: dict[str, OrganCategory] = {}
        for category in OrganCategory.objects.all():
            self.categories[fold(category.code)] = category
            self.categories[fold(category.label)] = category
        self.specialties: dict[str, str] = {}
        for value, label in Specialty.choices:
            self.specialties[fold(value)] = value
            self.specialties[fold(str(label))] = value
        self.centres: dict[str, list[Centre]] = {}
        for centre in Centre.objects.all():
            self.centres.setdefault(fold(centre.name), []).append(centre)


def _bool(value: str, default: bool) -> bool | None:
    word = fold(value)
    if not word:
        return default
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return None


def _parse_row(line: int, row: dict[str, str], lookups: _Lookups, seen: dict[str, int]) -> ParsedRow | RowError:
    reasons: list[str] = []
    if row.get("__extra__"):
        reasons.append(_("plus de valeurs que de colonnes (un « ; » ou une « , » de trop ?)"))
    email = row.get("email", "").lower()
    if not email:
        reasons.append(_("e-mail manquant"))
    else:
        try:
            validate_email(email)
        except ValidationError:
            reasons.append(_("e-mail mal formé « %(value)s »") % {"value": row["email"]})
        else:
            if email in seen:
                reasons.append(
                    _("doublon : l'e-mail %(email)s figure déjà ligne %(line)s") % {"email": email, "line": seen[email]}
                )
            else:
                seen[email] = line
    for column, label in (("nom", _("nom")), ("prenom", _("prénom"))):
        if not row.get(column):
            reasons.append(_("%(field)s manquant") % {"field": label})
    for column, limit in MAX_LENGTHS.items():
        if len(row.get(column, "")) > limit:
            reasons.append(
                _("%(column)s trop long (%(limit)s caractères au plus)") % {"column": column, "limit": limit}
            )

    title = TITLES.get(fold(row.get("titre", "")).replace(".", "").strip()) if row.get("titre") else Title.DR
    if title is None:
        reasons.append(_("titre inconnu « %(value)s » (Dr, Pr, M. ou Mme)") % {"value": row["titre"]})

    specialty = lookups.specialties.get(fold(row.get("specialite", "")))
    if not row.get("specialite"):
        reasons.append(_("spécialité manquante"))
    elif specialty is None:
        reasons.append(_("spécialité inconnue « %(value)s »") % {"value": row["specialite"]})

    centre: Centre | None = None
    if not row.get("centre"):
        reasons.append(_("centre manquant"))
    else:
        candidates = lookups.centres.get(fold(row["centre"]), [])
        if row.get("ville"):
            candidates = [c for c in candidates if fold(c.city) == fold(row["ville"])]
        if not candidates:
            reasons.append(
                _("centre inconnu « %(value)s » (à créer d'abord par un administrateur)") % {"value": row["centre"]}
            )
        elif len(candidates) > 1:
            reasons.append(_("centre ambigu « %(value)s » : précisez la ville") % {"value": row["centre"]})
        else:
            centre = candidates[0]

    ranks: dict[str, list[OrganCategory]] = {"titulaire": [], "suppleant": []}
    for column in ranks:
        for raw in row.get(column, "").replace("|", ",").split(","):
            if not raw.strip():
                continue
            category = lookups.categories.get(fold(raw.strip()))
            if category is None:
                reasons.append(_("catégorie inconnue « %(value)s »") % {"value": raw.strip()})
            elif category not in ranks[column]:
                ranks[column].append(category)
    both = [c for c in ranks["titulaire"] if c in ranks["suppleant"]]
    if both:
        reasons.append(
            _("catégorie à la fois titulaire et suppléant : %(names)s") % {"names": ", ".join(c.code for c in both)}
        )
    if not (row.get("titulaire", "").strip() or row.get("suppleant", "").strip()):
        reasons.append(_("aucune catégorie (colonnes titulaire ou suppleant)"))

    contact_email = row.get("email_contact", "").lower()
    if contact_email:
        try:
            validate_email(contact_email)
        except ValidationError:
            reasons.append(_("e-mail de contact mal formé « %(value)s »") % {"value": row["email_contact"]})

    flags: dict[str, bool] = {}
    for column in ("urgences", "actif"):
        value = _bool(row.get(column, ""), default=True)
        if value is None:
            reasons.append(
                _("%(column)s : « %(value)s » n'est ni oui ni non") % {"column": column, "value": row[column]}
            )
        else:
            flags[column] = value

    if reasons or centre is None or specialty is None or title is None:
        return RowError(line=line, reasons=reasons)
    return ParsedRow(
        line=line,
        email=email,
        last_name=row["nom"],
        first_name=row["prenom"],
        title=title,
        specialty=specialty,
        centre=centre,
        primary=ranks["titulaire"],
        backup=ranks["suppleant"],
        takes_urgent=flags["urgences"],
        phone=row.get("telephone", ""),
        contact_email=contact_email,
        active=flags["actif"],
        notes=row.get("remarques", ""),
    )


def referents_import(*, data: bytes, dry_run: bool = False) -> ImportReport:
    """Check the whole file, then (if every row is right and not `dry_run`) merge it in one transaction."""
    report = ImportReport()
    try:
        text = decode(data)
        lookups = _Lookups()
        seen: dict[str, int] = {}
        parsed: list[ParsedRow] = []
        for line, row in _rows(text):
            report.rows += 1
            result = _parse_row(line, row, lookups, seen)
            if isinstance(result, RowError):
                report.errors.append(result)
            else:
                parsed.append(result)
    except ImportFileError as exc:
        report.file_errors.append(str(exc))
        return report
    except csv.Error as exc:
        report.file_errors.append(_("Fichier CSV illisible : %(error)s") % {"error": exc})
        return report
    if not report.rows:
        report.file_errors.append(_("Le fichier ne contient aucune ligne de données."))
    if not report.ok or dry_run:
        return report
    report.created, report.updated = _apply(parsed)
    report.applied = True
    return report


@transaction.atomic
def _apply(rows: list[ParsedRow]) -> tuple[int, int]:
    """Write the checked rows with a constant number of queries (bulk operations)."""
    User: Any = get_user_model()
    emails = [row.email for row in rows]
    users = {u.email_lower: u for u in User.objects.annotate(email_lower=Lower("email")).filter(email_lower__in=emails)}
    new_users = []
    # One unusable-password marker for the whole batch: it never validates, and making 5,000 random ones
    # costs seconds for nothing.
    unusable = make_password(None)
    for row in rows:
        if row.email not in users:
            user = User(
                email=row.email,
                first_name=row.first_name,
                last_name=row.last_name,
                title=row.title,
                specialty=row.specialty,
                centre=row.centre,
            )
            user.password = unusable
            new_users.append(user)
    User.objects.bulk_create(new_users)
    users.update({u.email: u for u in new_users})

    group = referent_role_group()
    Membership = User.groups.through
    Membership.objects.bulk_create(
        [Membership(user_id=u.pk, group_id=group.pk) for u in users.values()], ignore_conflicts=True
    )

    existing = {r.user_id: r for r in Referent.objects.filter(user__in=list(users.values()))}
    now = timezone.now()
    to_create: list[Referent] = []
    to_update: list[Referent] = []
    for row in rows:
        user = users[row.email]
        referent = existing.get(user.pk) or Referent(user=user)
        referent.specialty = row.specialty
        referent.centre = row.centre
        referent.takes_urgent = row.takes_urgent
        referent.phone = row.phone
        referent.email = row.contact_email
        referent.is_active = row.active
        referent.notes = row.notes
        referent.updated_at = now
        (to_update if referent.pk else to_create).append(referent)
    Referent.objects.bulk_create(to_create)
    Referent.objects.bulk_update(
        to_update, ["specialty", "centre", "takes_urgent", "phone", "email", "is_active", "notes", "updated_at"]
    )
    referents = {r.user_id: r for r in [*to_create, *to_update]}
    # The file is the truth for the coverages of the people it lists.
    Coverage.objects.filter(referent__in=list(referents.values())).delete()
    coverages = []
    for row in rows:
        referent = referents[users[row.email].pk]
        coverages += [Coverage(referent=referent, category=c, rank=Coverage.Rank.PRIMARY) for c in row.primary]
        coverages += [Coverage(referent=referent, category=c, rank=Coverage.Rank.BACKUP) for c in row.backup]
    Coverage.objects.bulk_create(coverages, batch_size=2000)
    return len(to_create), len(to_update)


def _yes_no(value: bool) -> str:
    return "oui" if value else "non"


def export_csv(stream: Any) -> None:
    """Write the whole directory in the import format (";" separated, UTF-8 with BOM for spreadsheets)."""
    stream.write("\ufeff")
    writer = csv.writer(stream, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    titles = dict(Title.choices)
    for referent in export_rows():
        user = referent.user
        coverages = list(referent.coverages.all())
        writer.writerow(
            [
                user.email,
                user.last_name,
                user.first_name,
                titles.get(user.title, ""),
                referent.get_specialty_display(),
                referent.centre.name,
                referent.centre.city,
                ", ".join(c.category.code for c in coverages if c.rank == Coverage.Rank.PRIMARY),
                ", ".join(c.category.code for c in coverages if c.rank == Coverage.Rank.BACKUP),
                _yes_no(referent.takes_urgent),
                referent.phone,
                referent.email,
                _yes_no(referent.is_active),
                referent.notes,
            ]
        )


def template_csv(stream: Any) -> None:
    """The template offered for download: the columns and two example rows."""
    stream.write("\ufeff")
    writer = csv.DictWriter(stream, fieldnames=COLUMNS, delimiter=";", lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(EXAMPLE_ROWS)
