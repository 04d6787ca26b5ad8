"""The activity report's two files, made from one ``Dashboard``: the CSV (rows of the same figures and tables the
page shows) and the PDF's context (the same figures, drawn with the same charts)."""

from __future__ import annotations

import io
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tigre.lib.csvsafe import csv_writer

from . import charts
from .figures import Figure, Table
from .selectors import Dashboard

CSV_DELIMITER = ";"
# Tables drawn as bars in the PDF and on the page; the monthly table is drawn as columns.
MONTHLY = "by_month"
LANGUAGE = "fr"


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    # A cell starting with = + - @ would run as a formula in a spreadsheet.
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text


def csv_rows(dashboard: Dashboard) -> list[list[str]]:
    """Header, then one row per figure and per table row; the same rounding as the page (``number_text``)."""
    rows: list[list[str]] = [
        [
            _("Section"),
            _("Indicateur"),
            _("Ventilation"),
            _("Valeur"),
            _("Unité"),
            _("Part (%)"),
            _("Effectif"),
            _("Sur"),
            _("Définition"),
        ]
    ]
    for section in dashboard.sections:
        for figure in section.figures:
            rows.append(_figure_row(section.title, figure))
        for table in section.tables:
            rows.extend(_table_rows(section.title, table))
    return [[_cell(v) for v in row] for row in rows]


def _figure_row(section: str, figure: Figure) -> list[str]:
    d = figure.definition
    definition = str(d.definition)
    if not figure.available:
        definition = f"{definition} {_('Non disponible')} : {d.missing}"
        return [section, str(d.label), "", figure.display, "", "", "", "", definition]
    share = figure.definition.unit == "percent"
    return [
        section,
        str(d.label),
        "",
        figure.number_text,
        figure.unit_text,
        "",
        str(figure.numerator) if share and figure.denominator else "",
        str(figure.denominator) if share and figure.denominator else "",
        definition,
    ]


def _table_rows(section: str, table: Table) -> list[list[str]]:
    d = table.definition
    out: list[list[str]] = []
    if table.series:
        for name, values in table.series:
            for row, value in zip(table.rows, values, strict=True):
                out.append([section, f"{d.label} : {name}", row.label, str(value), "", "", "", "", str(d.definition)])
        return out
    for row in table.rows:
        share = row.share
        out.append(
            [
                section,
                str(d.label),
                row.label,
                str(row.count),
                "",
                charts.number_text(share) if share is not None and d.share_heading else "",
                "",
                str(row.total) if d.share_heading else "",
                str(d.definition),
            ]
        )
    return out


def csv_bytes(dashboard: Dashboard) -> bytes:
    """UTF-8 with a BOM (spreadsheets then read the accents), semicolons (a French spreadsheet's separator)."""
    with translation.override(LANGUAGE):
        buffer = io.StringIO()
        buffer.write("\ufeff")
        writer = csv_writer(buffer, delimiter=CSV_DELIMITER, lineterminator="\r\n")  # tigre/lib/csvsafe.py
        writer.writerow([_("RCP TIGRE — rapport d'activité"), dashboard.period.label])
        writer.writerow(
            [_("Produit le"), timezone.localtime().strftime("%d/%m/%Y %H:%M"), _("Heure de Paris (Europe/Paris)")]
        )
        writer.writerow([])
        writer.writerows(csv_rows(dashboard))
        return buffer.getvalue().encode("utf-8")


HEADLINE = (
    "requests_total",
    "meetings_held",
    "cases_discussed",
    "delay_discussion_median",
    "postponed_share",
    "urgent_ack_2h",
    "pv_declared_share",
    "pv_delay_median",
)


def draw(dashboard: Dashboard) -> dict[str, Any]:
    """Attach each table's chart (``table.drawing``) and return the figures drawn on their own (the postponement
    gauge), for the page and the PDF alike."""
    extra: dict[str, Any] = {}
    for section in dashboard.sections:
        for table in section.tables:
            if table.key == MONTHLY:
                table.drawing = charts.month_chart(table)
            elif table.definition.chart:
                table.drawing = charts.bar_chart(table)
        for figure in section.figures:
            if figure.key == "postponed_share":
                extra["postponed_gauge"] = charts.gauge(figure)
    return extra


def headline(dashboard: Dashboard) -> list[Figure]:
    """The figures at the top of the page: those of the sections shown."""
    shown = {f.key: f for s in dashboard.sections for f in s.figures}
    return [shown[key] for key in HEADLINE if key in shown]
