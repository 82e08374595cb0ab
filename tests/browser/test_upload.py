"""Adding the city's own documents in a real browser: upload a Word file and a PDF on 資料 with their
metadata, ask a question that cites one, remove it, and ask again. Screenshot: docs/screenshots/upload.png
(with BRIEFING_SCREENSHOTS=1, else in the test's tmp folder)."""
from __future__ import annotations

import json
import os

import pytest

from tests.browser.harness import require_browser, wait_for
from tests.conftest import ROOT
from tests.documents import japanese_pdf, word_file

pytestmark = pytest.mark.browser
require_browser()
SAVE_SHOTS = os.environ.get("BRIEFING_SCREENSHOTS") == "1"

DOCX = word_file("窓口ダブルチェック票の運用", [
    ("第1条 目的", ["本市の窓口では、公金受取口座の登録支援の前に、職員二名がダブルチェック票で利用者の画面を確認する。"]),
    ("第2条 記録", ["ダブルチェック票は、確認した職員二名の押印をして市民課で一年間保管する。"])])
PDF = japanese_pdf(["本市の証明書コンビニ交付は、毎月第三水曜日の夜間に保守のため停止する。",
                    "停止の予定は、市の広報誌とウェブサイトで前月の末日までに知らせる。"])


def _attach(browser, path) -> None:
    """Give the file uploader a file, as choosing it in the file dialog does."""
    wait_for(lambda: browser.js("!!document.querySelector('input[type=\"file\"]')"), 60, "the file uploader")
    found = browser.call("Runtime.evaluate", expression="document.querySelector('input[type=\"file\"]')")["result"]
    assert found.get("objectId"), found
    browser.call("DOM.setFileInputFiles", objectId=found["objectId"], files=[str(path)])


def _type(browser, label: str, text: str) -> None:
    field = f"document.querySelector('[data-testid=\"stForm\"] input[aria-label={json.dumps(label)}]')"
    for _ in range(3):   # a re-render can take the focus away between focusing and typing: then type again
        browser.js(f"{field}.focus(); {field}.select()")
        browser.call("Input.insertText", text=text)
        try:
            wait_for(lambda: browser.js(f"{field}.value") == text, 5, f"{label} = {text}")
            return
        except AssertionError:
            continue
    raise AssertionError(f"could not type into {label}: {browser.js(f'{field}.value')!r}")


def _key(browser, key: str, code: int) -> None:
    for kind in ("keyDown", "keyUp"):
        browser.call("Input.dispatchKeyEvent", type=kind, key=key, code=key, windowsVirtualKeyCode=code)


def _choose(browser, label: str, option: str) -> None:
    """A selectbox: open its list, type `option` and click the option that contains it."""
    find = ("[...document.querySelectorAll('[data-testid=\"stSelectbox\"]')]"
            f".find(e => e.innerText.startsWith({json.dumps(label)}))")
    wait_for(lambda: browser.js(f"!!({find} || {{}}).querySelector && !!{find}.querySelector('button')"), 30, label)
    pick = f"[...document.querySelectorAll('[role=\"option\"]')].find(o => o.innerText.includes({json.dumps(option)}))"
    chosen = f"{find}.querySelector('input').value.includes({json.dumps(option)})"
    for attempt in range(4):   # a re-render can close the list, take the focus or drop the choice: choose again
        _press(browser, f"{find}.querySelector('input')")
        browser.js(f"{find}.querySelector('input').select()")
        browser.call("Input.insertText", text=option)   # the list shows what matches the typed text
        try:
            wait_for(lambda: browser.js(f"!!{pick}"), 10, f"the option {option}")
            assert _press(browser, pick), f"the option {option} went away before the click"   # a re-render
            wait_for(lambda: browser.js(chosen), 15, f"{label} set to {option}")
            break
        except AssertionError:
            _key(browser, "Escape", 27)
            if attempt == 3:
                raise


def _press(browser, element: str) -> bool:
    """A real mouse click (press and release) on the middle of an element; False when it is gone."""
    box = browser.js(f"(() => {{ const e = {element}; if (!e) return null; e.scrollIntoView({{block: 'center'}}); "
                     f"const r = e.getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; }})()")
    if not box:
        return False
    browser.call("Input.dispatchMouseEvent", type="mouseMoved", x=box[0], y=box[1])
    for kind in ("mousePressed", "mouseReleased"):
        browser.call("Input.dispatchMouseEvent", type=kind, x=box[0], y=box[1], button="left", clickCount=1)
    return True


def _click(browser, text: str) -> None:
    assert browser.js(f"(() => {{ const b = [...document.querySelectorAll('button')].find(b => b.innerText.trim() === "
                      f"{json.dumps(text)}); if (b) b.click(); return !!b; }})()"), text


def _site_tab(browser) -> None:
    tab = "[...document.querySelectorAll('[role=\"tab\"]')].find(t => t.innerText.includes('この市の資料'))"
    wait_for(lambda: browser.js(f"!!{tab}"), 60, "the tab of the city's documents")
    for attempt in range(3):   # a press while the page is still loading can be lost
        _press(browser, tab)
        try:
            wait_for(lambda: "この市の資料を追加する" in browser.text(), 10, "the tab open")
            return
        except AssertionError:
            if attempt == 2:
                raise


def _upload(browser, path, kind: str, title: str, shot=None) -> str:
    browser.wait_text("この市の資料を追加する", "保存して索引に追加")
    for attempt in range(3):   # the uploader of a fresh form may still be mounting: give it the file again
        _attach(browser, path)
        try:
            wait_for(lambda: path.name in browser.text(), 10, f"{path.name} in the uploader")
            break
        except AssertionError:
            if attempt == 2:
                raise
    _choose(browser, "種別", kind)
    _type(browser, "日付（YYYY-MM-DD）", "2024-04-01")
    _type(browser, "表題", title)
    _type(browser, "発出者", "本市市民課")
    _type(browser, "出典（URL または文書番号・書誌情報）", "市民課 内部資料")
    if shot is not None:   # the filled form, under the notice of the previous upload
        browser.js("[...document.querySelectorAll('h3')].find(h => h.innerText.includes('この市の資料を追加する'))"
                   ".scrollIntoView()")
        browser.screenshot(shot)
    _click(browser, "保存して索引に追加")
    return browser.wait_text(f"「{title}」を追加しました", timeout=120)


def _ask(browser, app_url, question: str, *needles: str) -> str:
    browser.open(app_url)
    wait_for(lambda: browser.js("!!document.querySelector('[data-testid=\"stChatInputTextArea\"]')"), 60, "the chat input")
    browser.js("document.querySelector('[data-testid=\"stChatInputTextArea\"]').focus()")
    browser.call("Input.insertText", text=question)
    for kind in ("keyDown", "keyUp"):
        browser.call("Input.dispatchKeyEvent", type=kind, key="Enter", code="Enter", windowsVirtualKeyCode=13,
                     **({"text": "\r"} if kind == "keyDown" else {}))
    return browser.wait_text(question, "出典", *needles, timeout=120)


def test_upload_word_and_pdf_then_ask_and_remove(app_url, browser, tmp_path):
    shots = ROOT / "docs" / "screenshots" if SAVE_SHOTS else tmp_path / "shots"
    docx, pdf = tmp_path / "ダブルチェック票.docx", tmp_path / "コンビニ交付.pdf"
    docx.write_bytes(DOCX)
    pdf.write_bytes(PDF)

    browser.call("Emulation.setDeviceMetricsOverride", width=1280, height=2000, deviceScaleFactor=1, mobile=False)
    browser.open(f"{app_url}/library")
    _site_tab(browser)
    text = _upload(browser, docx, "手引き", "窓口ダブルチェック票の運用要領")
    assert "「窓口ダブルチェック票の運用要領」を追加しました" in text
    _upload(browser, pdf, "通知", "証明書コンビニ交付の定期保守について", shot=shots / "upload.png")
    browser.wait_text("この市で追加した資料（2 件")
    png = (shots / "upload.png").read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 20_000

    text = _ask(browser, app_url, "証明書コンビニ交付が夜間に停止するのはいつか", "証明書コンビニ交付の定期保守について")

    browser.open(f"{app_url}/library")
    _site_tab(browser)
    browser.wait_text("追加した資料を削除する")
    browser.js("[...document.querySelectorAll('[data-testid=\"stExpander\"] summary')]"
               ".find(s => s.innerText.includes('追加した資料を削除する')).click()")
    browser.wait_text("削除する資料", "この資料を削除し、回答に使わないようにする")
    _choose(browser, "削除する資料", "証明書コンビニ交付")
    browser.wait_text("削除する資料")
    browser.js("[...document.querySelectorAll('[data-testid=\"stCheckbox\"]')]"
               ".find(e => e.innerText.includes('回答に使わないようにする')).querySelector('input').click()")
    wait_for(lambda: browser.js("[...document.querySelectorAll('button')].some(b => b.innerText.trim() === "
                                "'削除して索引を更新' && !b.disabled)"), 30, "the remove button enabled")
    _click(browser, "削除して索引を更新")
    browser.wait_text("「証明書コンビニ交付の定期保守について」を削除しました", timeout=120)

    text = _ask(browser, app_url, "証明書コンビニ交付が夜間に停止するのはいつか")
    assert "証明書コンビニ交付の定期保守について" not in text
