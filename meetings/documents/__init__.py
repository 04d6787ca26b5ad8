"""The meeting documents (agenda, fiche RCP, minutes) as PDFs made with WeasyPrint."""
