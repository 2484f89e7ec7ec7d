"""The forms a page shows, read from its HTML (no browser): action, method and every field with the value the
page put there, so a test can send the form as a person would — changing one field."""

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin


@dataclass
class Field:
    name: str
    kind: str  # the input's type ("number", "text", "hidden", …), "select" or "textarea"
    value: str
    attrs: dict


@dataclass
class Form:
    action: str
    method: str = "post"
    fields: list[Field] = field(default_factory=list)
    button: tuple[str, str] | None = None  # the first submit button: the one a person clicks

    def data(self) -> dict:
        """The form as the browser sends it: {name: [values]} (checked boxes only, the first option of a select,
        the first named button as if clicked)."""
        out: dict[str, list[str]] = {}
        for f in self.fields:
            out.setdefault(f.name, []).append(f.value)
        if self.button and self.button[0] and self.button[0] not in out:
            out[self.button[0]] = [self.button[1]]
        return out


class _Forms(HTMLParser):
    def __init__(self, page_url):
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms, self.current, self.select, self.textarea = [], None, None, None

    def handle_starttag(self, tag, attrs):
        attrs = {k: (v or "") for k, v in attrs}
        if tag == "form":
            method = "post" if attrs.get("method", "get").lower() == "post" else "get"
            self.current = Form(urljoin(self.page_url, attrs.get("action") or self.page_url), method)
            self.forms.append(self.current)
            return
        if self.current is None:
            return
        clicks = (tag == "button" and attrs.get("type", "submit") == "submit") or (
            tag == "input" and attrs.get("type", "").lower() == "submit"
        )
        if clicks:  # the first submit button is the one clicked; only a named one sends a value
            if self.current.button is None:
                self.current.button = (attrs.get("name", ""), attrs.get("value", ""))
            return
        if "name" not in attrs and tag != "option":
            return
        if tag == "input":
            kind = attrs.get("type", "text").lower()
            if kind in ("button", "file", "image", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.current.fields.append(
                Field(attrs["name"], kind, attrs.get("value", "on" if kind == "checkbox" else ""), attrs)
            )
        elif tag == "select":
            self.select = Field(attrs["name"], "select", "", attrs)
            self.select.options = []
            self.current.fields.append(self.select)
        elif tag == "option" and self.select is not None:
            self.select.options.append(attrs.get("value", ""))
            if "selected" in attrs or len(self.select.options) == 1:
                self.select.value = attrs.get("value", "")
        elif tag == "textarea":
            self.textarea = Field(attrs["name"], "textarea", "", attrs)
            self.current.fields.append(self.textarea)

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea.value += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None


def page_forms(html: str, page_url: str) -> list[Form]:
    """Every form of the page, GET (filters, searches) and POST."""
    parser = _Forms(page_url)
    parser.feed(html)
    return parser.forms


def post_forms(html: str, page_url: str) -> list[Form]:
    return [f for f in page_forms(html, page_url) if f.method == "post"]
