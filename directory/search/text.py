"""Text search: the tsquery of a query (every word, the last as a prefix, or the English
stems), its typo fallback through the vocabulary (migration 0005), and the text filter
with its cheap relevance."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import BooleanField, Case, F, Func, IntegerField, QuerySet, Value, When

from .sqlite import fold_case

_TOKEN = re.compile(r"\w+", re.UNICODE)
# The typo fallback replaces a word that is in no studio's text by up to this many of the
# most similar words that are (trigram similarity, at least pg_trgm's threshold, 0.3).
TYPO_CANDIDATES = 3


def _text_terms(q: str) -> list[str]:
    return [t for t in _TOKEN.findall(fold_case(q) or "") if t][:12]


@dataclass(frozen=True)
class TextQuery:
    """A text query as PostgreSQL asks it: a tsquery expression, and the relevance phrase."""

    tsquery_sql: str
    tsquery_params: list[Any]
    phrase: str


def text_query(q: str) -> TextQuery | None:
    """Every word, the last one also as a prefix — asked as the vocabulary words it begins
    (migration 0005) — or the English-stemmed words. None when `q` has no word."""
    terms = _text_terms(q)
    if not terms:
        return None
    phrase = fold_case(" ".join(q.split())) or ""
    english = "websearch_to_tsquery('english', %s)"
    if len(terms) == 1:
        return TextQuery(f"studio_search_prefix(%s) || {english}", [terms[0], q], phrase)
    head = " & ".join(f"'{t}'" for t in terms[:-1])  # \w+ words: nothing to escape
    return TextQuery(
        f"(to_tsquery('simple', %s) && studio_search_prefix(%s)) || {english}",
        [head, terms[-1], q],
        phrase,
    )


def _quote_lexeme(word: str) -> str:
    """A lexeme as a tsquery operand (read back as is: no parser, no dictionary)."""
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


def _like_prefix(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def typo_text_query(q: str) -> TextQuery | None:
    """`q` with each word that is in no studio's text replaced by the most similar words that
    are (`nightingle` → nightingale): one query to the vocabulary. None when no word needs
    correcting (the words are real; together they match nothing) or one has no similar word.
    """
    terms = _text_terms(q)
    if not terms:
        return None
    with connection.cursor() as cursor:
        # Known: the word is a lexeme (the last one: begins one). Similar: the words the
        # trigram GIN index finds similar (`%`, migration 0009), nearest first by trigram
        # distance, asked only for unknown words.
        cursor.execute(
            "SELECT x.t, x.known, CASE WHEN x.known THEN NULL ELSE ARRAY("
            "  SELECT w.word FROM studio_search_word w WHERE w.word %% x.t"
            "   ORDER BY w.word <-> x.t, w.word LIMIT %s) END"
            " FROM (SELECT t, i, EXISTS (SELECT 1 FROM studio_search_word w WHERE w.word = t)"
            "  OR (i = %s AND EXISTS (SELECT 1 FROM studio_search_word w WHERE w.word LIKE %s))"
            "  AS known FROM unnest(%s::text[]) WITH ORDINALITY AS u(t, i)) x ORDER BY x.i",
            [TYPO_CANDIDATES, len(terms), _like_prefix(terms[-1]), terms],
        )
        found = cursor.fetchall()
    groups, phrase, corrected, last_kept = [], [], False, False
    for i, (term, known, similar) in enumerate(found):
        if known:
            phrase.append(term)
            if i == len(found) - 1:
                last_kept = True
            else:
                groups.append(_quote_lexeme(term))
        elif similar:
            corrected = True
            phrase.append(similar[0])
            groups.append("(" + " | ".join(_quote_lexeme(w) for w in similar) + ")")
        else:
            return None
    if not corrected:
        return None
    sql, sql_params = "%s::tsquery", [" & ".join(groups)]
    if last_kept:
        # `groups` is not empty: a word before the last was corrected.
        sql, sql_params = "%s::tsquery && studio_search_prefix(%s)", [*sql_params, terms[-1]]
    return TextQuery(sql, sql_params, " ".join(phrase))


class _Matches(Func):
    """`search_vector @@ (SELECT <tsquery>)`: the tsquery is computed once (an InitPlan)."""

    output_field = BooleanField()

    def __init__(self, text: TextQuery) -> None:
        super().__init__(F("search_vector"))
        self.text = text

    def as_sql(self, compiler, connection, **extra):
        vector_sql, vector_params = compiler.compile(self.source_expressions[0])
        return (
            f"{vector_sql} @@ (SELECT {self.text.tsquery_sql})",
            [*vector_params, *self.text.tsquery_params],
        )


def text_filter(qs: QuerySet, q: str, text: TextQuery | None = None) -> QuerySet:
    """Studios matching the text `q`, annotated with a `relevance` for sorting.

    PostgreSQL: the weighted tsvector (GIN) against `text` (text_query(q) unless given:
    search_studios() passes typo_text_query(q) when the words match nothing).
    Embedded mode: every word somewhere in name, city, owner or description.

    Relevance is cheap on purpose — it is computed for every match, tens of thousands for a
    common word: 2 when the name starts with the query, 1 when the name contains it, else 0
    (then the studio id). ts_rank would read every match's tsvector out of TOAST.
    """
    phrase = fold_case(" ".join(q.split())) or ""
    if connection.vendor == "postgresql":
        text = text or text_query(q)
        if text is None:  # no word (`q=!`): nothing, still sortable by relevance
            qs = qs.none()
        else:
            qs = qs.filter(_Matches(text))
            phrase = text.phrase
    else:
        terms = _text_terms(q)
        if not terms:
            qs = qs.none()
        for term in terms:
            qs = qs.filter(search_text__contains=term)
    relevance = Case(
        When(name_key__startswith=phrase, then=Value(2)),
        When(name_key__contains=phrase, then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )
    return qs.annotate(relevance=relevance)
