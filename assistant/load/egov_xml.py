"""e-Gov statute XML (法令標準XML) → one unit per 項 with a locator such as 第14条第2項.

Structure: Law/LawBody/(LawTitle, MainProvision/…/Article/Paragraph/Item/Sentence).
The e-Gov law id is derived from the Law attributes (e.g. 425AC0000000027) unless a sidecar says otherwise.
"""
from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from pathlib import Path

from assistant.errors import DocumentError
from assistant.values import Document, Unit

from .meta import parse_meta, read_sidecar
from .other import derived_id
from .text import clean, read_text

_ERA = {"Meiji": (1, 1867), "Taisho": (2, 1911), "Showa": (3, 1925), "Heisei": (4, 1988), "Reiwa": (5, 2018)}
_TYPE = {"Act": "AC", "CabinetOrder": "CO", "MinisterialOrdinance": "M"}


def _text(el: ET.Element | None) -> str:
    return clean("".join(el.itertext())).strip() if el is not None else ""


def article_locator(raw: str) -> str:
    """Article Num "14" → 第14条, "30_9" → 第30条の9."""
    main, *branches = raw.split("_")
    return f"第{main}条" + "".join(f"の{b}" for b in branches)


def _paragraph_text(par: ET.Element) -> str:
    lines = [" ".join(_text(s) for s in par.iter("Sentence") if _in_paragraph_sentence(par, s))]
    for item in par.findall("Item"):
        title = _text(item.find("ItemTitle"))
        body = " ".join(_text(s) for s in item.iter("Sentence"))
        lines.append(f"{title}　{body}".strip())
    return "\n".join(line for line in lines if line.strip())


def _in_paragraph_sentence(par: ET.Element, sentence: ET.Element) -> bool:
    ps = par.find("ParagraphSentence")
    return ps is not None and any(s is sentence for s in ps.iter("Sentence"))


def law_id_of(law: ET.Element) -> str | None:
    era, law_type, year, num = (law.get(k) for k in ("Era", "LawType", "Year", "Num"))
    if era not in _ERA or law_type not in _TYPE or not (year and num and year.isdecimal() and num.isdecimal()):
        return None
    return f"{_ERA[era][0]}{int(year):02d}{_TYPE[law_type]}{int(num):010d}"


def promulgation_date(law: ET.Element) -> dt.date | None:
    try:
        year = _ERA[law.get("Era")][1] + int(law.get("Year"))
        return dt.date(year, int(law.get("PromulgateMonth")), int(law.get("PromulgateDay")))
    except (KeyError, TypeError, ValueError, OverflowError):
        return None


def load_egov_xml(path: Path) -> Document:
    try:   # parsed from text: the encoding was detected (and any declared one is ignored)
        root = ET.fromstring(read_text(path))
    except ET.ParseError as exc:
        raise DocumentError(path, "xml", f"not well-formed XML ({exc})") from exc
    if root.tag != "Law" or root.find("LawBody") is None:
        raise DocumentError(path, "Law/LawBody", "not an e-Gov statute XML (法令標準XML) file")
    body = root.find("LawBody")
    title = _text(body.find("LawTitle"))
    if not title:
        raise DocumentError(path, "LawBody/LawTitle", "missing law title")
    main = body.find("MainProvision")
    if main is None:
        raise DocumentError(path, "LawBody/MainProvision", "missing main provision")

    units: list[Unit] = []
    for art in main.iter("Article"):
        art_loc = article_locator(art.get("Num", "?"))
        caption = _text(art.find("ArticleCaption"))
        paragraphs = art.findall("Paragraph")
        for par in paragraphs:
            loc = art_loc if len(paragraphs) == 1 else f"{art_loc}第{par.get('Num', '1')}項"
            text = _paragraph_text(par)
            if text:
                heading = (title, f"{art_loc}{caption}", *( (f"第{par.get('Num')}項",) if len(paragraphs) > 1 else ()))
                units.append(Unit(heading_path=heading, text=text, locator=loc))
    if not units:
        raise DocumentError(path, "Article/Paragraph", "no paragraphs with text")

    law_id = law_id_of(root)
    raw = read_sidecar(path)
    date = promulgation_date(root)
    meta = parse_meta({
        "id": f"egov-{law_id.lower() if law_id else derived_id(path)}", "kind": "statute", "title": title,
        "issuer": "国会" if root.get("LawType") == "Act" else "内閣",
        "date": (date or dt.date.fromtimestamp(path.stat().st_mtime)).isoformat(),
        "source": f"https://laws.e-gov.go.jp/law/{law_id}" if law_id else str(path),
        **({"law_id": law_id} if law_id else {}),
        **(raw or {}),
    }, path.with_name(path.name + ".meta.yaml") if raw else path)
    return Document(meta=meta, body="\n\n".join(u.text for u in units), path=str(path), units=tuple(units))
