"""Title check (PROD-3): pure functions, no database.

A title has at most 30 characters / 60 bytes (a Chinese character counts as two bytes, ASCII as one) and is
built from five parts: 营销词 + 类目词 + 产品词 + 属性词 + 修饰词. The check reports the length, which parts are
present (and with which words), which are missing, and repeated words. Words are segmented with jieba, with
every known word (marketing, modifier, category, product and attribute words) loaded as a user word, so
"韩版修身显瘦" splits into 韩版 / 修身 / 显瘦.
"""

import re
import threading
from collections import Counter
from dataclasses import dataclass, field

PARTS = ("marketing", "category", "product", "attribute", "modifier")  # the order of a good title

_tokenizer = None
_lock = threading.Lock()
_known: set[str] = set()
_WORDLIKE = re.compile(r"[\w\u4e00-\u9fff]", re.UNICODE)
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def byte_length(text: str) -> int:
    """Platform byte count: ASCII 1, anything else (Chinese characters, full-width signs) 2."""
    return sum(1 if ord(ch) < 128 else 2 for ch in text)


def _jieba():
    global _tokenizer
    if _tokenizer is None:
        with _lock:  # one dictionary per process, built once even when two requests arrive together
            if _tokenizer is None:
                import logging

                import jieba

                jieba.setLogLevel(logging.WARNING)
                tokenizer = jieba.Tokenizer()
                tokenizer.initialize()
                _tokenizer = tokenizer
    return _tokenizer


def segment(text: str, user_words=()) -> list[str]:
    """jieba words of `text` with `user_words` known to the dictionary; spaces and punctuation dropped."""
    tokenizer = _jieba()
    new = [w for w in user_words if w and w not in _known]
    if new:
        with _lock:
            for word in new:
                tokenizer.add_word(word, freq=max(tokenizer.suggest_freq(word), 20000))
                _known.add(word)
    return [w.strip() for w in tokenizer.cut(text or "") if w.strip() and _WORDLIKE.search(w)]


def words_of(text: str) -> list[str]:
    """Meaningful words of a name (product or category): jieba words of two or more characters, plus the whole
    text when short. '女士 修身连衣裙' → ['女士', '修身', '连衣裙']."""
    text = (text or "").strip()
    found = [w for w in segment(text) if len(w) >= 2]
    if text and len(text) <= 6 and " " not in text and text not in found:
        found.append(text)
    return list(dict.fromkeys(found))


@dataclass
class TitleCheck:
    title: str
    chars: int
    bytes: int
    max_chars: int
    max_bytes: int
    words: list[str] = field(default_factory=list)
    parts: dict[str, list[str]] = field(default_factory=dict)  # part → words found in the title
    repeats: list[str] = field(default_factory=list)

    @property
    def too_many_chars(self) -> bool:
        return self.chars > self.max_chars

    @property
    def too_many_bytes(self) -> bool:
        return self.bytes > self.max_bytes

    @property
    def missing(self) -> list[str]:
        return [p for p in PARTS if not self.parts.get(p)]

    @property
    def present(self) -> list[str]:
        return [p for p in PARTS if self.parts.get(p)]

    @property
    def ok(self) -> bool:
        return not (self.too_many_chars or self.too_many_bytes or self.missing or self.repeats or not self.title)

    @property
    def percent(self) -> int:
        """How full the title is, by the stricter of the two limits (for the length bar)."""
        ratio = max(self.chars / max(self.max_chars, 1), self.bytes / max(self.max_bytes, 1))
        return min(100, round(ratio * 100))

    def as_dict(self) -> dict:
        return {
            "title": self.title,
            "chars": self.chars,
            "bytes": self.bytes,
            "max_chars": self.max_chars,
            "max_bytes": self.max_bytes,
            "too_many_chars": self.too_many_chars,
            "too_many_bytes": self.too_many_bytes,
            "parts": {p: self.parts.get(p, []) for p in PARTS},
            "missing": self.missing,
            "repeats": self.repeats,
            "words": self.words,
            "ok": self.ok,
        }


def _found(word: str, title: str, tokens: set[str]) -> bool:
    """A word is in the title when jieba produced it, or (a Chinese word of 2+ characters) as a substring;
    short ASCII words such as sizes (S, M, XL) must be whole tokens, or 'M' would match 'MAX'."""
    if word in tokens:
        return True
    return len(word) >= 2 and bool(_CJK.search(word)) and word in title


def check_title(
    title: str,
    *,
    max_chars: int = 30,
    max_bytes: int = 60,
    marketing=(),
    modifiers=(),
    category_words=(),
    product_words=(),
    attribute_words=(),
) -> TitleCheck:
    """Check one title against the limits and the five-part structure (PROD-3)."""
    title = (title or "").strip()
    vocab = {
        "marketing": [w for w in dict.fromkeys(marketing) if w],
        "category": [w for w in dict.fromkeys(category_words) if w],
        "product": [w for w in dict.fromkeys(product_words) if w],
        "attribute": [w for w in dict.fromkeys(str(a).strip() for a in attribute_words) if w],
        "modifier": [w for w in dict.fromkeys(modifiers) if w],
    }
    known = [w for words in vocab.values() for w in words]
    tokens = segment(title, known)
    token_set = set(tokens)
    parts = {part: [w for w in words if _found(w, title, token_set)] for part, words in vocab.items()}
    # Repeats waste the 30 characters: any word of two or more characters, or a Chinese character, seen twice.
    counts = Counter(tokens)
    repeats = [w for w, n in counts.items() if n > 1 and (len(w) >= 2 or _CJK.search(w))]
    return TitleCheck(
        title=title,
        chars=len(title),
        bytes=byte_length(title),
        max_chars=max_chars,
        max_bytes=max_bytes,
        words=tokens,
        parts=parts,
        repeats=repeats,
    )
