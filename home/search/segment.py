"""Word segmentation of Chinese text with jieba, for the search index and for queries.

Full-text engines split words at spaces and punctuation; written Chinese has neither between words,
so a title such as 企业邮箱防钓鱼指南 is one token and a search for 钓鱼 misses it. At index time
every run of Chinese characters is replaced by jieba's "search mode" words (the words of the
sentence and their shorter dictionary words: 企业 邮箱 企业邮箱 防 钓鱼 指南), separated by spaces.
At query time a run is cut the same way and only the finest words are kept, so 企业邮箱 finds 企业的邮箱
too. Everything that is not Chinese (English words, product codes such as SG-100, versions such as
5.3) is left exactly as typed, so the database's own tokenizer treats it as before.

jieba's dictionary takes about a second to load: it is loaded once per process, on the first text
that contains Chinese.
"""

import html
import logging
import re
import threading

from django.utils.encoding import force_str

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
# Characters the full-text query syntaxes treat as operators; a customer's query is words only.
QUERY_NOISE = re.compile(r"[\"'()*:^{}\[\]]+")
CODE = re.compile(r"(?<![\w-])[A-Za-z0-9]+(?:-[A-Za-z0-9]+)+(?![\w-])")
NOT_WORD = re.compile(r"[^\w.+#-]+")

_tokenizer = None
_lock = threading.Lock()


def tokenizer():
    """jieba's tokenizer with its dictionary loaded (once per process)."""
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                jieba.dt.initialize()
                _tokenizer = jieba.dt
    return _tokenizer


def han_words(run: str) -> list[str]:
    """jieba's search-mode words of a run of Chinese characters, in order, without repeats."""
    words = []
    for word in tokenizer().cut_for_search(run):
        if word.strip() and word not in words:
            words.append(word)
    return words


def for_index(text) -> str:
    """``text`` with every run of Chinese replaced by its search-mode words, space separated, and
    every hyphenated code followed by its parts (PostgreSQL reads SG-100 as "sg" and "-100", and
    splits a query's SG-100 at the hyphen, so "sg" and "100" must both be in the index)."""
    text = CODE.sub(lambda m: f"{m.group()} {m.group().replace('-', ' ')}", force_str(text))
    if not HAN.search(text):
        return text
    return HAN.sub(lambda m: " " + " ".join(han_words(m.group())) + " ", text)


def query_terms(query: str) -> list[str]:
    """The words of a query: Chinese runs cut into their finest words, everything else split at spaces."""
    terms = []
    for chunk in QUERY_NOISE.sub(" ", force_str(query)).split():
        position = 0
        for match in HAN.finditer(chunk):
            terms.extend(_plain(chunk[position:match.start()]))
            words = han_words(match.group())
            # Drop compounds whose parts are there too: 企业邮箱 -> 企业 邮箱.
            terms.extend(w for w in words if not any(o != w and o in w for o in words))
            position = match.end()
        terms.extend(_plain(chunk[position:]))
    unique = []
    for term in terms:
        if term not in unique:
            unique.append(term)
    return unique


def _plain(text: str) -> list[str]:
    """Words of non-Chinese text: split at punctuation other than that of codes (SG-100, 5.3, C++)."""
    words = (w.strip("-.") for w in NOT_WORD.split(text))
    return [w for w in words if w]


def for_query(query: str) -> str:
    return " ".join(query_terms(query))


def highlight(text: str, query: str, *, width: int = 160) -> str:
    """An HTML-escaped excerpt of ``text`` around the first matched term, terms wrapped in <mark>."""
    text = " ".join(force_str(text).split())
    terms = sorted(query_terms(query), key=len, reverse=True)
    if not terms:
        return html.escape(text[:width])
    pattern = re.compile("|".join(re.escape(t) for t in terms), re.IGNORECASE)
    first = pattern.search(text)
    start = max(0, first.start() - width // 3) if first else 0
    excerpt = text[start:start + width]
    parts, position = [], 0
    for match in pattern.finditer(excerpt):
        parts.append(html.escape(excerpt[position:match.start()]))
        parts.append(f"<mark>{html.escape(match.group())}</mark>")
        position = match.end()
    parts.append(html.escape(excerpt[position:]))
    prefix = "… " if start else ""
    suffix = " …" if start + width < len(text) else ""
    return prefix + "".join(parts) + suffix
