"""Builders for small test documents in every supported format."""

from __future__ import annotations

from pathlib import Path


def write_pdf(path: Path, lines: list[str]) -> Path:
    """Write a minimal, valid one-page PDF whose text layer holds ``lines``."""
    def esc(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    content = "BT /F1 11 Tf 50 780 Td 14 TL " + " ".join(f"({esc(line)}) '" for line in lines) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
        "/Contents 5 0 R >>",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        f"<< /Length {len(content.encode('latin-1'))} >>\nstream\n{content}\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    path.write_bytes(bytes(out))
    return path


def write_docx(path: Path, title: str, sections: list[tuple[str, str]]) -> Path:
    """Write a DOCX with a title and (heading, paragraph) sections."""
    from docx import Document

    document = Document()
    document.add_heading(title, level=1)
    for heading, text in sections:
        document.add_heading(heading, level=2)
        document.add_paragraph(text)
    document.save(str(path))
    return path


DK_NOTE = """---
title: Markedsdialog før et udbud
jurisdiction: DK
language: da
sources:
  - citation: Udbudsloven § 39
    url: https://www.retsinformation.dk/eli/lta/2015/1564
date: 2026-11-24
---

# Markedsdialog før et udbud

## Udbudsloven § 39 – Markedsundersøgelser
En ordregiver må gerne tale med leverandører, før et udbud annonceres. Markedsdialogen kan bruges til at
planlægge udbuddet og til at informere leverandørerne om ordregiverens planer og krav, så længe dialogen
ikke fordrejer konkurrencen og ikke strider mod principperne om ligebehandling og gennemsigtighed.

## Udbudsloven § 40 – Tidligere inddragelse af tilbudsgivere
Har en leverandør rådgivet ordregiveren om udbuddet, skal ordregiveren træffe passende foranstaltninger,
så konkurrencen ikke fordrejes, for eksempel ved at dele de relevante oplysninger med alle tilbudsgivere og
fastsætte passende frister. Leverandøren må kun udelukkes, hvis der ikke er andre måder at sikre ligebehandling.
"""

SE_NOTE = """---
title: Ramavtal
jurisdiction: SE
language: sv
date: 2026-11-24
---

# Ramavtal

## LOU 7 kap. 1 § – Ramavtal
En upphandlande myndighet får ingå ett ramavtal med en eller flera leverantörer. Ett ramavtal fastställer
villkoren för de kontrakt som ska tilldelas under en given period, särskilt i fråga om pris och kvantitet.

## LOU 7 kap. 3 § – Ramavtalets löptid
Ett ramavtal får gälla i högst fyra år, om det inte finns särskilda skäl för en längre löptid.
"""
