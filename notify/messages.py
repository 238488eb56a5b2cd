"""The JSON bodies each robot expects, built from a title and a Markdown subset.

The subset both robots render: headings (`#`…), **bold**, `- ` lists, [links](url) and plain
lines. Robots set to plain text get a fallback without the markup. Sizes follow the vendors'
limits (WeCom: text 2,048 bytes, markdown 4,096 bytes; DingTalk is given the same bounds).
"""

import re

WECOM = "wecom"
DINGTALK = "dingtalk"
MARKDOWN = "markdown"
TEXT = "text"

LIMITS = {TEXT: 2048, MARKDOWN: 4096}
ELLIPSIS = "…"

_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+", re.MULTILINE)
_BOLD = re.compile(r"(\*\*|__)(.+?)\1")
_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
_QUOTE = re.compile(r"^\s{0,3}>\s?", re.MULTILINE)
_FONT = re.compile(r"</?font[^>]*>")
_BLANKS = re.compile(r"\n{3,}")


def plain_text(markdown: str) -> str:
    """The Markdown subset as plain lines: markup dropped, a link as "text (url)"."""
    text = _HEADING.sub("", markdown)
    text = _LINK.sub(lambda m: f"{m.group(1)} ({m.group(2)})", text)
    text = _BOLD.sub(r"\2", text)
    text = _QUOTE.sub("", text)
    text = _FONT.sub("", text)
    return _BLANKS.sub("\n\n", text).strip()


def truncate_bytes(text: str, limit: int) -> str:
    """`text` cut to at most `limit` UTF-8 bytes, ending with an ellipsis when cut."""
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    room = limit - len(ELLIPSIS.encode("utf-8"))
    return data[:room].decode("utf-8", errors="ignore") + ELLIPSIS


def body_for(*, vendor: str, message_format: str, title: str, markdown: str) -> dict:
    """The JSON body to post to a robot of `vendor` configured for `message_format`."""
    if message_format == MARKDOWN:
        content = truncate_bytes(markdown.strip(), LIMITS[MARKDOWN])
        if vendor == WECOM:
            return {"msgtype": "markdown", "markdown": {"content": content}}
        return {"msgtype": "markdown", "markdown": {"title": title[:100], "text": content}}
    content = truncate_bytes(plain_text(markdown), LIMITS[TEXT])
    if vendor == WECOM:
        return {"msgtype": "text", "text": {"content": content}}
    return {
        "msgtype": "text",
        "text": {"content": content},
        "at": {"atMobiles": [], "isAtAll": False},
    }
