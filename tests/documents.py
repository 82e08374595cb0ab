"""Test documents built in code (no binary fixtures): Word files with python-docx, and PDFs with
Japanese text written by hand (a Type0 font with a ToUnicode map, so text extraction reads it back)."""
from __future__ import annotations

import io


def word_file(title: str, sections: list[tuple[str, list[str]]], table: list[tuple[str, ...]] | None = None,
              core_title: str = "") -> bytes:
    """A .docx: the title (Title style), then each (Heading 1, paragraphs), then an optional table."""
    from docx import Document
    doc = Document()
    doc.core_properties.title = core_title
    doc.add_heading(title, level=0)
    for heading, paragraphs in sections:
        doc.add_heading(heading, level=1)
        for p in paragraphs:
            doc.add_paragraph(p)
    if table:
        t = doc.add_table(rows=len(table), cols=len(table[0]))
        for i, row in enumerate(table):
            for j, value in enumerate(row):
                t.cell(i, j).text = value
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _cmap(codes: dict[str, int]) -> bytes:
    entries = [f"<{cid:04X}> <{ord(ch):04X}>" for ch, cid in codes.items()]
    blocks = [entries[i:i + 100] for i in range(0, len(entries), 100)]
    body = "".join(f"{len(b)} beginbfchar\n" + "\n".join(b) + "\nendbfchar\n" for b in blocks)
    return ("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
            "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
            "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n" + body +
            "endcmap\nCMapName currentdict /CIDResource defineresource pop\nend\nend\n").encode("ascii")


def _stream(data: bytes) -> bytes:
    return b"<< /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


def japanese_pdf(lines: list[str]) -> bytes:
    """A one-page PDF whose text layer holds `lines` (BMP characters) one per line."""
    codes: dict[str, int] = {}
    for ch in "".join(lines):
        codes.setdefault(ch, len(codes) + 1)
    text = b"BT /F1 10 Tf 40 800 Td 12 TL\n" + b"".join(
        b"<" + "".join(f"{codes[ch]:04X}" for ch in line).encode("ascii") + b"> Tj T*\n" for line in lines) + b"ET"
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>",
            _stream(text),
            b"<< /Type /Font /Subtype /Type0 /BaseFont /TestGothic /Encoding /Identity-H "
            b"/DescendantFonts [6 0 R] /ToUnicode 7 0 R >>",
            b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /TestGothic /CIDSystemInfo "
            b"<< /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor 8 0 R /DW 1000 >>",
            _stream(_cmap(codes)),
            b"<< /Type /FontDescriptor /FontName /TestGothic /Flags 4 /FontBBox [0 -120 1000 880] "
            b"/ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 700 /StemV 80 >>"]
    return assemble_pdf(objs)


def assemble_pdf(objs: list[bytes]) -> bytes:
    """Numbered objects (1 = the catalog), a cross-reference table and the trailer."""
    out, offsets = b"%PDF-1.4\n", []
    for i, o in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return out
