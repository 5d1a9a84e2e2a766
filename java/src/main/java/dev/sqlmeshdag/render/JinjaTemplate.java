package dev.sqlmeshdag.render;

import dev.sqlmeshdag.render.JinjaRenderer.Piece;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a Jinja template into text, {@code {{ }}} and {@code {% %}} pieces; comments vanish; a tag never closed
 * is an UNCLOSED piece holding the rest of the text.
 */
final class JinjaTemplate {

    private JinjaTemplate() {
    }

    static List<Piece> split(String text) {
        List<Piece> pieces = new ArrayList<>();
        int pos = 0;
        boolean trimNext = false;
        while (pos < text.length()) {
            int open = nextOpen(text, pos);
            if (open < 0) {
                addText(pieces, text.substring(pos), pos, trimNext, false);
                break;
            }
            char type = text.charAt(open + 1);
            String closer = type == '{' ? "}}" : type == '%' ? "%}" : "#}";
            int close = closeOf(text, open + 2, closer);
            if (close < 0) {
                addText(pieces, text.substring(pos, open), pos, trimNext, false);
                pieces.add(new Piece(Piece.Kind.UNCLOSED, text.substring(open), open));
                break;
            }
            boolean trimBefore = open + 2 < text.length() && text.charAt(open + 2) == '-';
            addText(pieces, text.substring(pos, open), pos, trimNext, trimBefore);
            int bodyStart = open + 2 + (trimBefore ? 1 : 0);
            boolean trimAfter = close > bodyStart && text.charAt(close - 1) == '-';
            String body = text.substring(bodyStart, trimAfter ? close - 1 : close);
            if (type == '{') {
                pieces.add(new Piece(Piece.Kind.EXPR, body, open));
            } else if (type == '%') {
                pieces.add(new Piece(Piece.Kind.STMT, body, open));
            }
            trimNext = trimAfter;
            pos = close + 2;
        }
        return pieces;
    }

    private static void addText(List<Piece> pieces, String s, int offset, boolean trimStart, boolean trimEnd) {
        String t = trimStart ? s.stripLeading() : s;
        t = trimEnd ? t.stripTrailing() : t;
        if (!t.isEmpty()) {
            pieces.add(new Piece(Piece.Kind.TEXT, t, offset));
        }
    }

    private static int nextOpen(String text, int from) {
        for (int i = text.indexOf('{', from); i >= 0 && i + 1 < text.length(); i = text.indexOf('{', i + 1)) {
            char c = text.charAt(i + 1);
            if (c == '{' || c == '%' || c == '#') {
                return i;
            }
        }
        return -1;
    }

    /** The closing delimiter, skipping string literals inside expressions and statements. */
    private static int closeOf(String text, int from, String closer) {
        if (closer.equals("#}")) {
            return text.indexOf(closer, from);
        }
        char quote = 0;
        for (int i = from; i + 1 < text.length(); i++) {
            char c = text.charAt(i);
            if (quote != 0) {
                if (c == '\\') {
                    i++;
                } else if (c == quote) {
                    quote = 0;
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (text.startsWith(closer, i)) {
                return i;
            }
        }
        return -1;
    }
}
