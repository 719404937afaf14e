"""Untrusted strings reach the page only as text: a source check over the app, and hostile runs.

The source check walks every module of ``dashboard/app`` and fails when a
Streamlit call that renders Markdown (alerts, captions, subheaders, labels,
help...) is given anything but a literal, a number, or a string built by
``dashboard.app.safe``.  The AppTest runs then feed hostile links and a hostile
article through every page and check what reached Markdown is escaped.
"""

from __future__ import annotations

import ast
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

import dashboard
from dashboard.app import safe
from dashboard.models import Article, GeoparseResult, Mention, Place, TopicScore
from dashboard.store import open_store

APP_DIR = Path(dashboard.__file__).resolve().parent / "app"
APP = str(APP_DIR / "main.py")

# Streamlit calls whose text (first argument, label, body, help) is rendered as Markdown.
MARKDOWN_CALLS = frozenset({
    "markdown", "write", "warning", "info", "error", "success", "caption", "subheader", "header", "title",
    "toast", "expander", "button", "link_button", "download_button", "radio", "checkbox", "toggle",
    "text_input", "text_area", "selectbox", "multiselect", "slider", "select_slider", "date_input",
    "time_input", "number_input", "metric", "tabs", "status", "popover", "page_link", "latex", "file_uploader",
    "color_picker", "pills", "segmented_control", "form_submit_button", "badge", "exception", "write_stream",
})
TEXT_KEYWORDS = ("label", "body", "help")
# Widgets that render their option labels as Markdown too.
MARKDOWN_OPTIONS = frozenset({"radio", "pills", "segmented_control"})
SAFE_CALLS = frozenset({"md", "fmt", "link_markdown", "len"})


def _is_safe(node: ast.AST) -> bool:
    """A literal, a number, or a string that ``safe`` built (f-strings of those, numbers formatted)."""
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.JoinedStr):
        return all(_is_safe(v) for v in node.values)
    if isinstance(node, ast.FormattedValue):
        spec = node.format_spec
        numeric = spec is not None and all(isinstance(v, ast.Constant) for v in spec.values) and \
            not str("".join(str(v.value) for v in spec.values if isinstance(v, ast.Constant))).endswith("s")
        return numeric or _is_safe(node.value)
    if isinstance(node, ast.Call):
        f = node.func
        name = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""
        via_safe = isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id == "safe"
        return (via_safe and name in SAFE_CALLS) or name == "len"
    if isinstance(node, ast.IfExp):
        return _is_safe(node.body) and _is_safe(node.orelse)
    if isinstance(node, ast.BinOp):
        if isinstance(node.op, ast.Mult):  # "s" * (n != 1)
            return isinstance(node.left, ast.Constant) or isinstance(node.right, ast.Constant)
        return _is_safe(node.left) and _is_safe(node.right)
    if isinstance(node, (ast.List, ast.Tuple)):
        return all(_is_safe(e) for e in node.elts)
    return False


def _safe_format_func(node: ast.AST | None) -> bool:
    """``safe.md_func(...)``, or a lookup in a module constant of our own labels (``LAYER_LABELS.__getitem__``)."""
    if node is None:
        return False
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "md_func":
        return True
    return (isinstance(node, ast.Attribute) and node.attr == "__getitem__" and isinstance(node.value, ast.Name)
            and node.value.id.isupper())


def violations(source: str, filename: str) -> list[str]:
    """Every Markdown-rendering call in ``source`` that is given an unvetted string."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source, filename)):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        name = node.func.attr
        receiver = node.func.value
        if isinstance(receiver, ast.Name) and receiver.id == "safe":
            continue  # the helpers themselves escape
        where = f"{filename}:{node.lineno}"
        if name == "html":
            if not all(isinstance(a, ast.Constant) or (isinstance(a, ast.Call) and isinstance(a.func, ast.Name)
                       and a.func.id == "highlight_html") or (isinstance(a, ast.Call) and isinstance(
                       a.func, ast.Attribute) and a.func.attr == "image_html" and isinstance(a.func.value, ast.Name)
                       and a.func.value.id == "safe") for a in node.args):
                found.append(f"{where}: st.html with a string not built by highlight_html or safe.image_html")
            continue
        if name == "update":  # st.status(...).update(label=...)
            found += [f"{where}: update(label=...)" for k in node.keywords if k.arg == "label" and not _is_safe(k.value)]
            continue
        if name not in MARKDOWN_CALLS:
            continue
        texts = node.args[:1] if name not in ("write", "tabs") else node.args
        texts += [k.value for k in node.keywords if k.arg in TEXT_KEYWORDS]
        for t in texts:
            if not _is_safe(t):
                found.append(f"{where}: {name}() given {ast.unparse(t)[:60]}")
        if name in MARKDOWN_OPTIONS:
            ff = next((k.value for k in node.keywords if k.arg == "format_func"), None)
            if not _safe_format_func(ff):
                found.append(f"{where}: {name}() option labels are Markdown: format_func=safe.md_func(...)")
    return found


def test_every_markdown_call_in_the_app_gets_escaped_text() -> None:
    problems: list[str] = []
    for path in sorted(APP_DIR.rglob("*.py")):
        if path.name == "safe.py":
            continue
        problems += violations(path.read_text(), str(path.relative_to(APP_DIR)))
    assert problems == []


@pytest.mark.parametrize("snippet", [
    "st.warning(w)",
    "st.sidebar.caption(f'Source: {row.source}')",
    "c1.markdown('**' + title + '**')",
    "st.button(name)",
    "st.radio('x', opts, format_func=labels.get)",
    "st.expander(label=title)",
    "st.html(text)",
    "box.update(label=f'{err}')",
    "st.text_input('Link', help=article.url)",
])
def test_the_source_check_catches_unescaped_strings(snippet: str) -> None:
    assert violations(snippet, "x.py"), snippet


@pytest.mark.parametrize("snippet", [
    "st.warning('Plain words.')",
    "st.markdown(f\"**{total:,}** article{'s' if total != 1 else ''}\")",
    "st.caption(f'{len(places)} place{\"s\" * (len(places) != 1)}')",
    "st.subheader(safe.md(title), anchor=False)",
    "st.markdown(safe.fmt('**{t}**', t=title))",
    "st.radio('Layer', MAP_LAYERS, format_func=LAYER_LABELS.__getitem__)",
    "st.html(highlight_html(text, mentions))",
])
def test_the_source_check_accepts_vetted_strings(snippet: str) -> None:
    assert violations(snippet, "x.py") == []


# --- the helper itself --------------------------------------------------------

UNESCAPED = re.compile(r"(?<!\\)[\[\]<>!`*_$]|https?://|www\.|(?<!\\):(?=[\w/])|@(?=\w)")


def test_md_leaves_nothing_for_markdown_to_read() -> None:
    for hostile in ("[Login](https://phish.example/login)", "![px](http://127.0.0.1:9/p.png)", "<img src=x>",
                    "visit www.phish.example", "mail a@b.example", ":red[ALERT] :material/home:", "$x^2$",
                    "**bold** _it_ `code`", "# heading\n- list", "\\[escaped\\]"):
        out = safe.md(hostile)
        assert not UNESCAPED.search(out.replace("\\\\", "")), (hostile, out)
        assert "\n" not in out
        assert out.replace("\\", "").replace(safe.JOINER, "") == hostile.replace("\\", "").replace("\n", " ")


def test_md_shortens_and_drops_control_characters() -> None:
    assert len(safe.md("a" * 10_000)) == safe.MAX_SHOWN
    assert safe.md("ab\u202ecd\x00") == "abcd"


@pytest.mark.parametrize(("url", "href", "host"), [
    ("https://example.org/a(b)?q=<x>'\"#f", "https://example.org/a%28b%29?q=%3Cx%3E%27%22#f", "example.org"),
    ("http://EXAMPLE.org:8080/", "http://example.org:8080/", "example.org:8080"),
    ("https://exаmple.org/", "https://xn--exmple-4nf.org/", "xn--exmple-4nf.org"),  # Cyrillic а shows as punycode
])
def test_article_links_are_plain_http_with_the_host_shown(url: str, href: str, host: str) -> None:
    link = safe.article_link(url)
    assert link is not None and (link.href, link.host) == (href, host)
    shown = safe.link_markdown(link)
    assert shown.startswith("[Original article ↗](") and "xn--" in shown if "xn--" in host else True


@pytest.mark.parametrize("url", [
    "javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "JaVaScRiPt:alert(1)", "//evil.example/x",
    "https://user:pw@evil.example/", "ftp://example.org/", "https://", "https://exa mple.org/", "https://a.org/\nb",
    "", None, "https://" + "a" * 3000 + ".org/", "https://[::1/", "http://example.org:99999/",
])
def test_other_addresses_are_not_links(url: Any) -> None:
    assert safe.article_link(url) is None


@pytest.mark.parametrize("url", [
    "javascript:alert(1)", "data:image/png;base64,AAAA", "ftp://example.org/a.png", "https://user:pw@h.org/a.png",
    "//h.org/a.png", "https://h.org/\na.png", None, 42,
])
def test_pictures_other_than_plain_http_are_not_shown(url: Any) -> None:
    assert safe.image_html(url) is None


def test_a_picture_address_cannot_leave_its_attribute() -> None:
    tag = safe.image_html('https://img.example/a.png"onerror="alert(1)<b>')
    assert tag is not None
    assert tag.startswith('<img class="nm-article-image" src="https://img.example/a.png%22onerror=%22alert%281%29%3Cb%3E"')
    assert tag.count('"') == 10 and "<b>" not in tag and 'referrerpolicy="no-referrer"' in tag
    assert safe.image_html('https://img.example/a b.png') is None  # spaces: not a plain address


# --- hostile links and articles through the real pages ----------------------------

HOSTILE_TITLE = "[Login again](https://phish.example/t) ![px](http://127.0.0.1:9/t.png) <b>x</b> www.evil.example"
HOSTILE_SOURCE = "![](http://127.0.0.1:9/source.png) [Wire](https://phish.example/s)"
HOSTILE_TOPIC = "[topic](https://phish.example/topic) :red[alarm]"
HOSTILE_URL = "javascript:alert(document.domain)"
LINK_PAYLOAD = "[Login again](https://phish.example/login) ![px](http://127.0.0.1:8628/date.png)"


@pytest.fixture()
def hostile_env(tmp_path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'news.sqlite'}"
    store = open_store(url)
    place = Place("gn:1526384", "Almaty", "city", 43.25, 76.91667, 1526384, "KZ", "02", 2000900)
    text = f"Almaty: {HOSTILE_TITLE} and more text."
    for i, link in enumerate((HOSTILE_URL, "https://exаmple.org/story(1)")):
        art = Article(text + f" {i}", HOSTILE_TITLE, url=link, published=datetime(2022, 9, 16, tzinfo=UTC), lang="en",
                      source=HOSTILE_SOURCE, categories=(HOSTILE_TOPIC,))
        result = GeoparseResult("en", (Mention(0, 6, "Almaty", place, "dateline", 0.9),))
        store.add_article(art, result, (TopicScore(HOSTILE_TOPIC, 0.9, ("x",)),))
    store.close()
    monkeypatch.setenv("DASHBOARD_DB", url)
    monkeypatch.delenv("DASHBOARD_READ_ONLY", raising=False)
    monkeypatch.delenv("DASHBOARD_TILES", raising=False)
    return url


def _markdown_strings(at: AppTest) -> list[str]:
    """Every string the page handed to an element that renders Markdown."""
    out = [e.value for kind in ("markdown", "caption", "warning", "error", "info", "success", "subheader")
           for e in getattr(at, kind)]
    out += [b.label for b in at.button] + [e.label for e in at.expander]
    out += [str(o) for r in at.radio for o in r.options]
    return [str(s) for s in out]


def _assert_literal(strings: list[str], allowed_links: tuple[str, ...] = ()) -> None:
    for s in strings:
        for link in allowed_links:
            s = s.replace(link, "")
        s = s.replace("\\\\", "").replace("**", "")
        assert not UNESCAPED.search(s), s


def _run(params: dict[str, Any], page: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("page", [None, "views/overview.py"])
def test_a_hostile_link_is_quoted_as_text(hostile_env: str, page: str | None) -> None:
    params = {k: LINK_PAYLOAD for k in ("date", "role", "conf", "layer", "colour", "z", "page", "from", "to",
                                         "lat", "article")}
    params |= {"country": [LINK_PAYLOAD, "KZ"], "region": LINK_PAYLOAD, "admin1": LINK_PAYLOAD, LINK_PAYLOAD: "1"}
    at = _run(params, page)
    warnings = "\n".join(w.value for w in at.warning)
    assert "Login again" in warnings and "date range" in warnings and "role" in warnings
    _assert_literal(_markdown_strings(at))


def test_a_hostile_article_shows_as_text_with_no_link_but_its_own(hostile_env: str) -> None:
    at = _run({})
    body = "\n".join(_markdown_strings(at))
    assert "Login again" in body and "Wire" in body and "topic" in body
    _assert_literal(_markdown_strings(at))
    js = _run({"article": "1"})  # the javascript: URL is not a link
    assert not any("](" in s for s in _markdown_strings(js))
    assert any("not a web link" in c.value for c in js.caption)
    _assert_literal(_markdown_strings(js))
    idn = _run({"article": "2"})  # the look-alike host is shown as the browser will contact it
    links = [s for s in _markdown_strings(idn) if "](" in s]
    # (a word joiner between the hyphens: Streamlit's Markdown showed "xn--" as "xn—")
    assert links == ["[Original article ↗](https://xn--exmple-4nf.org/story%281%29) on **xn\\-\u2060\\-exmple\\-4nf\\.org**"]
    _assert_literal(_markdown_strings(idn), allowed_links=("[Original article ↗](https://xn--exmple-4nf.org/story%281%29)",))
