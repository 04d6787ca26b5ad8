"""Helpers for the browser journeys: a logged-in page per person (own browser context), the TOTP second factor
typed like a user would, screenshots at both sizes, a tiny valid PDF."""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path
from typing import Any

from django_otp.oath import totp

from tests.e2e.conftest import DESKTOP, PHONE
from tests.helpers import totp_device

# Where the browser tests leave their screenshots to look at (TIGRE_SHOTS_DIR, else the system's temporary folder).
SHOTS = Path(os.environ.get("TIGRE_SHOTS_DIR", tempfile.gettempdir()))


def current_code(user: Any) -> str:
    """The 6-digit code the user's authenticator app shows now."""
    device = totp_device(user)
    device.refresh_from_db()
    code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{code:0{device.digits}d}"


def sign_in(page: Any, base_url: str, user: Any, password: str, axe_check: Any = None) -> Any:
    """Log in through the real form; staff roles then type the TOTP code on the verification page."""
    page.goto(base_url + "/compte/connexion/")
    page.get_by_label("Adresse e-mail").fill(user.email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()
    if "/double-authentification/" in page.url:
        if axe_check is not None:
            axe_check(page, "otp-verify")
        page.get_by_label("Code à 6 chiffres").fill(current_code(user))
        page.get_by_role("button", name="Vérifier").click()
        page.wait_for_load_state()
    assert "/compte/" not in page.url, f"{user.email} not logged in: {page.url}"
    return page


def open_as(
    browser: Any, context_args: dict[str, Any], base_url: str, user: Any, password: str, axe_check: Any = None
) -> Any:
    """A new page in its own browser context (own cookies), logged in as ``user``; dialogs are accepted."""
    context = browser.new_context(**context_args)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    return sign_in(page, base_url, user, password, axe_check)


# The elements that stick out of the viewport on the right (what makes a phone page scroll sideways).
OVERFLOW_JS = """() => {
  const width = document.documentElement.clientWidth;
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + '.' + [...el.classList].join('.');
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    const parent = el.parentElement.getBoundingClientRect();
    if (r.width && r.right > width + 1 && parent.right <= width + 1) {
      out.push(name(el) + ' right=' + Math.round(r.right));
    }
  }
  if (document.documentElement.scrollWidth > width + 1) {
    out.push('page ' + document.documentElement.scrollWidth + ' px wide for ' + width);
    return out.slice(0, 8);
  }
  return out.filter((entry) => !entry.startsWith('table')).slice(0, 8);
}"""


def sideways_overflow(page: Any) -> list[str]:
    return page.evaluate(OVERFLOW_JS)


def screenshots(page: Any, name: str) -> list[Path]:
    """Full-page screenshots at 1366x768 and at 390 px, into SHOTS/h9-<name>-{desktop,phone}.png; fails if
    anything sticks out sideways (cut off, or a page that scrolls horizontally)."""
    paths = []
    for size_name, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        overflow = sideways_overflow(page)
        assert not overflow, f"{name} at {size_name} width: cut or sideways-scrolling elements {overflow}"
        path = SHOTS / f"h9-{name}-{size_name}.png"
        page.screenshot(path=str(path), full_page=True)
        paths.append(path)
    page.set_viewport_size(DESKTOP)
    return paths


def tiny_pdf(path: Path, text: str = "Compte rendu de consultation") -> Path:
    """A small valid one-page PDF (hand-written objects and cross-reference table)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    path.write_bytes(out.getvalue())
    return path


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    assert data[:4] == b"%PDF", data[:20]
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)
