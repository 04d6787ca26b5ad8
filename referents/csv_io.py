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

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tigre.accounts.activation import activation_enqueue
from tigre.accounts.models import Centre, Title
from tigre.lib.csvsafe import csv_writer
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


def _rows(text: str) -> Iterator[tuple[int, dict[str, str], bool]]:
    """(line number, row, whether it has more cells than columns) for each non-blank row; the delimiter (";", ","
    or tab) is read from the header."""
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
        extra_cells = len(cells) > len(keys) and any(c.strip() for c in cells[len(keys) :])
        yield reader.line_num, row, extra_cells


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


class ReferentRowForm(forms.Form):
    """One row of the file, its fields named as the columns. Checked against what exists (read once for the
    whole file) and against the rows above it (an e-mail twice); each error is a short French reason."""

    email = forms.EmailField(
        max_length=254,
        error_messages={
            "required": gettext_lazy("e-mail manquant"),
            "invalid": gettext_lazy("e-mail mal formé « %(value)s »"),
            "max_length": gettext_lazy("e-mail trop long (%(limit_value)s caractères au plus)"),
        },
    )
    nom = forms.CharField(
        max_length=150,
        error_messages={
            "required": gettext_lazy("nom manquant"),
            "max_length": gettext_lazy("nom trop long (%(limit_value)s caractères au plus)"),
        },
    )
    prenom = forms.CharField(
        max_length=150,
        error_messages={
            "required": gettext_lazy("prénom manquant"),
            "max_length": gettext_lazy("prénom trop long (%(limit_value)s caractères au plus)"),
        },
    )
    titre = forms.CharField(required=False)
    specialite = forms.CharField(error_messages={"required": gettext_lazy("spécialité manquante")})
    centre = forms.CharField(error_messages={"required": gettext_lazy("centre manquant")})
    ville = forms.CharField(required=False)
    titulaire = forms.CharField(required=False)
    suppleant = forms.CharField(required=False)
    urgences = forms.CharField(required=False)
    telephone = forms.CharField(
        required=False,
        max_length=32,
        error_messages={"max_length": gettext_lazy("téléphone trop long (%(limit_value)s caractères au plus)")},
    )
    email_contact = forms.EmailField(
        required=False,
        max_length=254,
        error_messages={
            "invalid": gettext_lazy("e-mail de contact mal formé « %(value)s »"),
            "max_length": gettext_lazy("e-mail de contact trop long (%(limit_value)s caractères au plus)"),
        },
    )
    actif = forms.CharField(required=False)
    remarques = forms.CharField(required=False)

    def __init__(
        self, data: dict[str, str], *, line: int, lookups: _Lookups, seen: dict[str, int], extra_cells: bool
    ) -> None:
        super().__init__(data)
        self.line = line
        self.lookups = lookups
        self.seen = seen
        self.extra_cells = extra_cells

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].lower()
        if email in self.seen:
            raise forms.ValidationError(
                _("doublon : l'e-mail %(email)s figure déjà ligne %(line)s"),
                params={"email": email, "line": self.seen[email]},
            )
        self.seen[email] = self.line
        return email

    def clean_titre(self) -> str:
        value = self.cleaned_data["titre"]
        if not value:
            return str(Title.DR)
        title = TITLES.get(fold(value).replace(".", "").strip())
        if title is None:
            raise forms.ValidationError(_("titre inconnu « %(value)s » (Dr, Pr, M. ou Mme)"), params={"value": value})
        return str(title)

    def clean_specialite(self) -> str:
        value = self.cleaned_data["specialite"]
        specialty = self.lookups.specialties.get(fold(value))
        if specialty is None:
            raise forms.ValidationError(_("spécialité inconnue « %(value)s »"), params={"value": value})
        return specialty

    def _categories(self, column: str) -> list[OrganCategory]:
        found: list[OrganCategory] = []
        unknown = []
        for raw in self.cleaned_data[column].replace("|", ",").split(","):
            if not raw.strip():
                continue
            category = self.lookups.categories.get(fold(raw.strip()))
            if category is None:
                unknown.append(
                    forms.ValidationError(_("catégorie inconnue « %(value)s »"), params={"value": raw.strip()})
                )
            elif category not in found:
                found.append(category)
        if unknown:
            raise forms.ValidationError(unknown)
        return found

    def clean_titulaire(self) -> list[OrganCategory]:
        return self._categories("titulaire")

    def clean_suppleant(self) -> list[OrganCategory]:
        return self._categories("suppleant")

    def _yes_no(self, column: str) -> bool:
        value = self.cleaned_data[column]
        word = fold(value)
        if not word:
            return True
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise forms.ValidationError(
            _("%(column)s : « %(value)s » n'est ni oui ni non"), params={"column": column, "value": value}
        )

    def clean_urgences(self) -> bool:
        return self._yes_no("urgences")

    def clean_actif(self) -> bool:
        return self._yes_no("actif")

    def clean_email_contact(self) -> str:
        return self.cleaned_data["email_contact"].lower()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.extra_cells:
            self.add_error(None, _("plus de valeurs que de colonnes (un « ; » ou une « , » de trop ?)"))
        if data.get("centre"):
            centre = self._centre(data["centre"], data.get("ville", ""))
            if centre is not None:  # otherwise the field has its error and no value
                data["centre"] = centre
        primary, backup = data.get("titulaire"), data.get("suppleant")
        both = [c for c in primary or [] if c in (backup or [])]
        if both:
            self.add_error(
                "suppleant",
                _("catégorie à la fois titulaire et suppléant : %(names)s")
                % {"names": ", ".join(c.code for c in both)},
            )
        if not (str(self.data.get("titulaire") or "").strip() or str(self.data.get("suppleant") or "").strip()):
            self.add_error("titulaire", _("aucune catégorie (colonnes titulaire ou suppleant)"))
        return data

    def _centre(self, name: str, city: str) -> Centre | None:
        candidates = self.lookups.centres.get(fold(name), [])
        if city:
            candidates = [c for c in candidates if fold(c.city) == fold(city)]
        if len(candidates) == 1:
            return candidates[0]
        if not candidates:
            message = _("centre inconnu « %(value)s » (à créer d'abord par un administrateur)")
        else:
            message = _("centre ambigu « %(value)s » : précisez la ville")
        self.add_error("centre", forms.ValidationError(message, params={"value": name}))
        return None

    def reasons(self) -> list[str]:
        """The row's errors, in the order of the columns."""
        errors = self.errors
        found = list(errors.get("__all__", []))
        for name in self.fields:
            found += errors.get(name, [])
        return [str(e) for e in found]

    def parsed(self) -> ParsedRow:
        data = self.cleaned_data
        return ParsedRow(
            line=self.line,
            email=data["email"],
            last_name=data["nom"],
            first_name=data["prenom"],
            title=data["titre"],
            specialty=data["specialite"],
            centre=data["centre"],
            primary=data["titulaire"],
            backup=data["suppleant"],
            takes_urgent=data["urgences"],
            phone=data["telephone"],
            contact_email=data["email_contact"],
            active=data["actif"],
            notes=data["remarques"],
        )


def referents_import(*, data: bytes, dry_run: bool = False) -> ImportReport:
    """Check the whole file, then (if every row is right and not `dry_run`) merge it in one transaction."""
    report = ImportReport()
    try:
        text = decode(data)
        lookups = _Lookups()
        seen: dict[str, int] = {}
        parsed: list[ParsedRow] = []
        for line, row, extra_cells in _rows(text):
            report.rows += 1
            form = ReferentRowForm(row, line=line, lookups=lookups, seen=seen, extra_cells=extra_cells)
            if form.is_valid():
                parsed.append(form.parsed())
            else:
                report.errors.append(RowError(line=line, reasons=form.reasons()))
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
    # Accounts created here have no password: each gets an activation mail (set-password link that expires).
    activation_enqueue(u.pk for u in new_users)

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
    writer = csv_writer(stream, delimiter=";", lineterminator="\r\n")  # cells made inert (tigre/lib/csvsafe.py)
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
    writer = csv_writer(stream, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows([[row.get(column, "") for column in COLUMNS] for row in EXAMPLE_ROWS])
