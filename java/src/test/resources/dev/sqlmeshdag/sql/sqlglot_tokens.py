"""Tokenizes SQL snippets with the pinned sqlglot, for DialectLexingTest.

Reads [{"dialect": name, "sql": text}, ...] on stdin and prints, for each, either {"error": message} (sqlglot's
tokenizer refuses the text) or {"spans": [[kind, start, end], ...], "comments": [text, ...]}: every string
("string"), quoted identifier ("identifier") and bracket, comma or semicolon (its text) with its offsets (end
exclusive), and the comments' texts in order.
"""
import json
import sys

from sqlglot.dialects.dialect import Dialect
from sqlglot.tokens import TokenType

STRINGS = {
    TokenType.STRING, TokenType.NATIONAL_STRING, TokenType.RAW_STRING, TokenType.BYTE_STRING,
    TokenType.HEX_STRING, TokenType.BIT_STRING, TokenType.HEREDOC_STRING, TokenType.UNICODE_STRING,
}
# where statements and bracketed groups start and end
PUNCTUATION = {
    TokenType.L_PAREN, TokenType.R_PAREN, TokenType.L_BRACKET, TokenType.R_BRACKET, TokenType.COMMA,
    TokenType.SEMICOLON,
}

out = []
for case in json.load(sys.stdin):
    try:
        tokens = Dialect.get_or_raise(case["dialect"]).tokenize(case["sql"])
    except Exception as e:  # TokenError, or a hex string that is not hex
        out.append({"error": f"{type(e).__name__}: {e}"})
        continue
    spans, comments = [], []
    for t in tokens:
        comments.extend(t.comments)
        if t.token_type in STRINGS:
            spans.append(["string", t.start, t.end + 1])
        elif t.token_type == TokenType.IDENTIFIER:
            spans.append(["identifier", t.start, t.end + 1])
        elif t.token_type in PUNCTUATION:
            spans.append([t.text, t.start, t.end + 1])
    out.append({"spans": spans, "comments": comments})
json.dump(out, sys.stdout)
