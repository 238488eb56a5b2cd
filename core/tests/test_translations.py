"""The Simplified Chinese catalogue: complete, compiled, and used by the pages by default.

The .po is parsed here by a small reader (polib is not a dependency): every entry must have
a translation, none may be fuzzy, placeholders must survive, the committed .mo must give the
.po's translations, and every string marked in the code and templates must be in the .po.
"""

import gettext
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation.template import templatize

# The project's catalogue holds core, places, people and points; each later app keeps its own in
# <app>/locale (makemessages writes a file's strings to the nearest locale directory above it).
PROJECT_MESSAGES = Path(settings.LOCALE_PATHS[0]) / "zh_Hans" / "LC_MESSAGES"
APP_MESSAGES = sorted(Path(settings.BASE_DIR).glob("*/locale/zh_Hans/LC_MESSAGES/django.po"))
CATALOGUES = [PROJECT_MESSAGES / "django.po", *APP_MESSAGES]
IGNORED_DIRS = {".venv", "staticfiles", "bench", "test-artifacts", "node_modules", "locale"}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]|\{(\w*)\}|%[sdif]")


@dataclass
class Entry:
    line: int
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)


def _unquote(text: str) -> str:
    text = text.strip()
    assert text.startswith('"') and text.endswith('"'), text
    escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}
    return re.sub(r"\\(.)", lambda m: escapes.get(m.group(1), m.group(0)), text[1:-1])


def parse_po(text: str) -> list[Entry]:
    """The entries of a .po/.pot text, header included (its msgid is ""); obsolete ones left out."""
    entries: list[Entry] = []
    entry, target = None, None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            entry = target = None
            continue
        if line.startswith("#~"):
            continue
        if entry is None:
            entry = Entry(line=number)
            entries.append(entry)
        if line.startswith("#,"):
            entry.flags |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            target(_unquote(line))
        else:
            keyword, _space, rest = line.partition(" ")
            target = _setter(entry, keyword)
            target(_unquote(rest))
    return entries


def _setter(entry: Entry, keyword: str):
    plural = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
    if plural or keyword == "msgstr":
        index = int(plural.group(1)) if plural else 0
        entry.msgstr.setdefault(index, "")

        def add(text):
            entry.msgstr[index] += text

        return add
    assert keyword in ("msgctxt", "msgid", "msgid_plural"), keyword

    def add(text):
        setattr(entry, keyword, (getattr(entry, keyword) or "") + text)

    return add


def messages(entries: list[Entry]) -> list[Entry]:
    return [e for e in entries if e.msgid]


@pytest.fixture(
    scope="module",
    params=CATALOGUES,
    ids=[str(po.relative_to(settings.BASE_DIR)) for po in CATALOGUES],
)
def po(request) -> Path:
    return request.param


@pytest.fixture(scope="module")
def catalogue(po) -> list[Entry]:
    return messages(parse_po(po.read_text(encoding="utf-8")))


def test_the_reader_sees_every_part_of_an_entry():
    text = (
        'msgid ""\nmsgstr "Language: zh_Hans\\n"\n\n#: a.py:1\n#, fuzzy, python-format\n'
        'msgctxt "person"\nmsgid "Row %(row)d, "\n"“%(column)s”"\nmsgstr ""\n\n'
        'msgid "%(n)s item"\nmsgid_plural "%(n)s items"\nmsgstr[0] "%(n)s项"\n\n'
        '#~ msgid "old"\n#~ msgstr "旧"\n'
    )
    header, first, second = parse_po(text)
    assert (header.msgid, header.msgstr) == ("", {0: "Language: zh_Hans\n"})
    assert first.key == ("person", "Row %(row)d, “%(column)s”")
    assert first.flags == {"fuzzy", "python-format"} and first.msgstr == {0: ""}
    assert (second.msgid_plural, second.msgstr) == ("%(n)s items", {0: "%(n)s项"})


def test_the_project_catalogue_is_the_big_one():
    project = messages(parse_po((PROJECT_MESSAGES / "django.po").read_text(encoding="utf-8")))
    assert len(project) > 250


def test_every_entry_is_translated_and_none_is_fuzzy(catalogue):
    fuzzy = [f"line {e.line}: {e.msgid}" for e in catalogue if "fuzzy" in e.flags]
    empty = [f"line {e.line}: {e.msgid}" for e in catalogue if not all(e.msgstr.values())]
    assert not fuzzy, "fuzzy entries in django.po:\n" + "\n".join(fuzzy)
    assert not empty, "untranslated entries in django.po:\n" + "\n".join(empty)


def test_chinese_has_one_plural_form(po, catalogue):
    header = parse_po(po.read_text(encoding="utf-8"))[0]
    assert "Plural-Forms: nplurals=1; plural=0;" in header.msgstr[0]
    assert "fuzzy" not in header.flags
    assert all(list(e.msgstr) == [0] for e in catalogue if e.msgid_plural)


def test_translations_keep_their_placeholders(catalogue):
    wrong = []
    for entry in catalogue:
        # Chinese's one plural form also stands for msgid_plural (msgfmt checks it against that).
        allowed = [sorted(PLACEHOLDER.findall(m)) for m in (entry.msgid, entry.msgid_plural) if m]
        for text in entry.msgstr.values():
            if sorted(PLACEHOLDER.findall(text)) not in allowed:
                wrong.append(f"line {entry.line}: {entry.msgid!r} -> {text!r}")
    assert not wrong, "placeholders differ:\n" + "\n".join(wrong)


def test_the_compiled_catalogue_matches_the_po(po, catalogue):
    with po.with_suffix(".mo").open("rb") as file:
        compiled = gettext.GNUTranslations(file)
    stale = []
    for entry in catalogue:
        if entry.msgid_plural is not None:
            args = (entry.msgid, entry.msgid_plural, 1)
            got = (
                compiled.npgettext(entry.msgctxt, *args)
                if entry.msgctxt
                else compiled.ngettext(*args)
            )
        elif entry.msgctxt is not None:
            got = compiled.pgettext(entry.msgctxt, entry.msgid)
        else:
            got = compiled.gettext(entry.msgid)
        if got != entry.msgstr[0]:
            stale.append(f"{entry.msgid!r}: .mo gives {got!r}, .po says {entry.msgstr[0]!r}")
    assert not stale, "django.mo is stale; run compilemessages:\n" + "\n".join(stale)


def _source_files(root: Path):
    for path in sorted(root.rglob("*")):
        parts = path.relative_to(root).parts
        if any(part in IGNORED_DIRS or part.startswith(".") for part in parts[:-1]):
            continue
        if path.suffix in (".py", ".html", ".txt") and path.is_file():
            yield path


def _extract(root: Path, work: Path) -> list[Entry]:
    """What `makemessages` would extract: the Python sources and the templates, by xgettext."""
    inputs = []
    for number, path in enumerate(_source_files(root)):
        if path.suffix == ".py":
            inputs.append(str(path))
            continue
        converted = work / f"template_{number}.py"
        converted.write_text(templatize(path.read_text(encoding="utf-8"), origin=str(path)))
        inputs.append(str(converted))
    listing = work / "files.txt"
    listing.write_text("\n".join(inputs), encoding="utf-8")
    keywords = ["gettext_noop", "gettext_lazy", "ngettext_lazy:1,2", "pgettext:1c,2"]
    keywords += ["npgettext:1c,2,3", "pgettext_lazy:1c,2", "npgettext_lazy:1c,2,3"]
    command = ["xgettext", "--language=Python", "--from-code=UTF-8", "--output=-"]
    command += [f"--keyword={k}" for k in keywords] + [f"--files-from={listing}"]
    result = subprocess.run(command, capture_output=True, check=True, text=True, timeout=120)
    return messages(parse_po(result.stdout))


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="gettext is not installed")
def test_every_string_marked_in_the_code_is_in_the_po(tmp_path):
    known = {
        entry.key
        for po in CATALOGUES
        for entry in messages(parse_po(po.read_text(encoding="utf-8")))
    }
    missing = [e.msgid for e in _extract(Path(settings.BASE_DIR), tmp_path) if e.key not in known]
    assert not missing, (
        "strings missing from every django.po (run `make messages` and translate them):\n"
        + "\n".join(missing)
    )


def test_row_errors_read_as_chinese_officials_write_them():
    with translation.override("zh-hans"):
        problem = translation.gettext("The check digit of the ID number is wrong.")
        message = translation.gettext("Row %(row)d, “%(column)s”: %(problem)s") % {
            "row": 17,
            "column": "身份证号",
            "problem": problem,
        }
    assert message == "第17行，“身份证号”：身份证号校验码错误。"


# --- The pages ----------------------------------------------------------------------------------


def _switch_to_english(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302


@pytest.mark.django_db
def test_the_login_page_is_chinese_by_default_and_english_on_request(client):
    page = client.get(reverse("login")).content.decode()
    assert 'lang="zh-hans"' in page and "登录" in page and "Log in" not in page

    _switch_to_english(client)
    page = client.get(reverse("login")).content.decode()
    assert 'lang="en"' in page and "Log in" in page and "登录" not in page


@pytest.mark.django_db
def test_the_home_page_is_chinese_by_default_and_english_on_request(login, alice):
    client = login(alice)
    page = client.get(reverse("home")).content.decode()
    assert "我的责任范围" in page and "乡镇党委书记" in page and "退出" in page
    assert "What you are responsible for" not in page

    _switch_to_english(client)
    page = client.get(reverse("home")).content.decode()
    assert "What you are responsible for" in page and "Township party secretary" in page
    assert "我的责任范围" not in page
