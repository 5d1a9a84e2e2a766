package dev.sqlmeshdag.sql;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * How one SQL dialect writes strings, quoted identifiers and comments, and where each of them ends: the facts of
 * sqlglot's per-dialect Tokenizer ({@code QUOTES}, {@code IDENTIFIERS}, {@code STRING_ESCAPES},
 * {@code BYTE_STRING_ESCAPES}, {@code IDENTIFIER_ESCAPES}, {@code ESCAPE_FOLLOW_CHARS}, {@code COMMENTS},
 * {@code NESTED_COMMENTS}, raw/byte/national/hex/unicode prefixes and heredoc strings) in the pinned sqlglot, and its
 * scanning loop ({@code _extract_string}, {@code _scan_comment}) so {@link SqlLexer} ends a string exactly where
 * SQLMesh does. Each {@link Dialect} owns one instance; nothing else holds a dialect's lexical rule.
 * {@code DialectLexingTest} compares the lexer's tokens with sqlglot's tokenizer for every dialect.
 */
public final class LexicalRules {

    /** What a delimited lexeme is. */
    enum Kind { STRING, IDENTIFIER, COMMENT, OPERATOR }

    /**
     * A string, quoted identifier or comment.
     *
     * @param kind   what it is
     * @param start  offset of its first character (a prefix such as {@code r} included)
     * @param end    offset just past it; the text's length when it is never closed
     * @param closed false when the text ends first (sqlglot raises for strings and identifiers)
     * @param value  its content as sqlglot reads it: escapes resolved for strings and identifiers, the text between
     *               the markers for comments
     * @param close  the closing delimiter it needs ({@code '}, {@code '''}, {@code $tag$}, {@code * /}...)
     * @param error  why sqlglot's tokenizer refuses the text here, or null
     */
    record Lexeme(Kind kind, int start, int end, boolean closed, String value, String close, String error) {

        Lexeme(Kind kind, int start, int end, boolean closed, String value, String close) {
            this(kind, start, end, closed, value, close, null);
        }
    }

    enum StringKind { PLAIN, RAW, BYTE, HEX, BIT }

    /** A string opener ({@code '}, {@code r'''}, {@code E'}, {@code $$}) and how the string it opens reads. */
    private record Opener(String start, String end, StringKind kind) {
    }

    /** sqlglot's Dialect.UNESCAPED_SEQUENCES, used by dialects whose escapes include a backslash. */
    private static final Map<String, String> UNESCAPED = Map.of("\\a", "\u0007", "\\b", "\b", "\\f", "\f",
            "\\n", "\n", "\\r", "\r", "\\t", "\t", "\\v", "\u000b", "\\\\", "\\");

    private final Map<Character, Character> identifiers;
    private final List<Opener> openers;
    private final Set<Character> singleQuotes;
    private final Set<Character> stringEscapes;
    private final Set<Character> byteStringEscapes;
    private final Set<Character> identifierEscapes;
    private final Set<Character> escapeFollowChars;
    private final boolean escapesInRawStrings;
    private final Map<String, String> comments;
    private final boolean nestedComments;
    private final Heredoc heredoc;
    private final boolean unescapesSequences;
    private final LexicalRules firstPass;
    private final String wordChars;
    private final boolean dollarInNames;
    private final List<String> operators;

    /** Postgres-style {@code $tag$ ... $tag$} strings. */
    enum Heredoc {
        NONE,
        /** Any tag; a tag without its closing {@code $} is an error. */
        ANY_TAG,
        /** The tag must read as an identifier: {@code $1} or a tag with spaces is a parameter, not a string. */
        IDENTIFIER_TAG
    }

    private LexicalRules(Builder b) {
        this.identifiers = Map.copyOf(b.identifiers);
        List<Opener> all = new ArrayList<>(b.openers.values());
        all.sort(Comparator.comparingInt((Opener o) -> o.start().length()).reversed());
        this.openers = List.copyOf(all);
        this.singleQuotes = new TreeSet<>();
        for (String q : b.quotes) {
            if (q.length() == 1) {
                singleQuotes.add(q.charAt(0));
            }
        }
        this.stringEscapes = chars(b.stringEscapes);
        this.byteStringEscapes = chars(b.byteStringEscapes);
        this.identifierEscapes = chars(b.identifierEscapes);
        this.escapeFollowChars = chars(b.escapeFollowChars);
        this.escapesInRawStrings = b.escapesInRawStrings;
        // a line comment maps to null, which Map.copyOf refuses
        this.comments = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(b.comments));
        this.nestedComments = b.nestedComments;
        this.heredoc = b.heredoc;
        this.unescapesSequences = stringEscapes.contains('\\') || byteStringEscapes.contains('\\');
        this.firstPass = b.firstPass == null ? null : b.firstPass.build();
        this.wordChars = b.wordChars;
        this.dollarInNames = b.dollarInNames;
        this.operators = List.copyOf(b.operators);
    }

    private static Set<Character> chars(String s) {
        Set<Character> out = new TreeSet<>();
        for (char c : s.toCharArray()) {
            out.add(c);
        }
        return Set.copyOf(out);
    }

    /** Whether {@code open} starts a quoted identifier, and the character that closes it. */
    Character identifierClose(char open) {
        return identifiers.get(open);
    }

    /** See {@link Dialect#escapesDoubledDoubleQuote()}. */
    boolean escapesDoubledDoubleQuote() {
        return identifiers.containsKey('"') || singleQuotes.contains('"') && stringEscapes.contains('"');
    }

    /**
     * Whether {@code c}, not a letter, digit or underscore, may start and continue an unquoted name: sqlglot reads
     * any character that is not one of its tokenizer's SINGLE_TOKENS as part of a name ({@code #temp} in Redshift).
     */
    boolean wordChar(char c) {
        return wordChars.indexOf(c) >= 0;
    }

    /**
     * Whether {@code $} belongs to a name ({@code t$x}): not where sqlglot's tokenizer makes it a token of its own
     * (ClickHouse, Spark, Databricks, Hive), so {@code raw.t$x} reads the table {@code raw.t} there.
     */
    boolean dollarInNames() {
        return dollarInNames;
    }

    /** Whether a backslash escapes a quote inside an ordinary string. */
    public boolean backslashEscapes() {
        return stringEscapes.contains('\\');
    }

    /**
     * The string, quoted identifier or comment that starts at {@code pos}, or null when none does. Call it only
     * where a token may start: a prefix letter inside a word ({@code bar'x'}) is part of the word.
     */
    Lexeme scan(String text, int pos) {
        if (pos >= text.length()) {
            return null;
        }
        Character idClose = identifiers.get(text.charAt(pos));
        if (idClose != null) {
            // sqlglot tries identifier quotes before any string or comment opener
            Set<Character> escapes = new TreeSet<>(identifierEscapes);
            escapes.add(idClose);
            return extract(text, pos, pos + 1, String.valueOf(idClose), escapes, false, Kind.IDENTIFIER);
        }
        String comment = longestComment(text, pos);
        Opener opener = longestOpener(text, pos);
        String operator = longestOperator(text, pos);
        if (operator != null && (comment == null || operator.length() > comment.length())
                && (opener == null || operator.length() > opener.start().length())) {
            // sqlglot's keyword trie takes the longest match, so #-- is the operator #- and a -, not a comment
            return new Lexeme(Kind.OPERATOR, pos, pos + operator.length(), true, operator, "");
        }
        // sqlglot takes the longest opener of either kind (its keyword trie); ties cannot occur
        if (comment != null && (opener == null || comment.length() >= opener.start().length())) {
            return comment(text, pos, comment);
        }
        if (opener == null) {
            Opener otherCase = longestOpenerIgnoringCase(text, pos);
            if (otherCase != null && (comment == null || comment.length() < otherCase.start().length())) {
                // sqlglot matches openers case-insensitively, then finds no string of that spelling and fails
                String written = text.substring(pos, pos + otherCase.start().length());
                return new Lexeme(Kind.STRING, pos, pos + written.length(), false, "", otherCase.end(),
                        "sqlglot cannot read " + written + "...' in this dialect; write " + otherCase.start());
            }
        }
        if (opener != null) {
            Set<Character> escapes = opener.kind() == StringKind.BYTE ? byteStringEscapes : stringEscapes;
            boolean noEscapes = opener.kind() == StringKind.RAW && !escapesInRawStrings;
            Lexeme s = extract(text, pos, pos + opener.start().length(), opener.end(), escapes, noEscapes, Kind.STRING);
            java.util.regex.Pattern digits = opener.kind() == StringKind.HEX ? HEX_DIGITS
                    : opener.kind() == StringKind.BIT ? BIT_DIGITS : null;
            if (digits != null && s.closed() && !s.value().isEmpty() && !digits.matcher(s.value()).matches()) {
                return new Lexeme(Kind.STRING, s.start(), s.end(), false, s.value(), s.close(),
                        "sqlglot refuses " + text.substring(s.start(), s.end()) + ": not a "
                                + (opener.kind() == StringKind.HEX ? "hexadecimal" : "binary") + " number");
            }
            return s;
        }
        if (heredoc != Heredoc.NONE && text.charAt(pos) == '$') {
            return heredoc(text, pos);
        }
        return null;
    }

    private String longestComment(String text, int pos) {
        String best = null;
        for (String start : comments.keySet()) {
            if (text.startsWith(start, pos) && (best == null || start.length() > best.length())) {
                best = start;
            }
        }
        return best;
    }

    private String longestOperator(String text, int pos) {
        String best = null;
        for (String op : operators) {
            if (text.startsWith(op, pos) && (best == null || op.length() > best.length())) {
                best = op;
            }
        }
        return best;
    }

    private Opener longestOpener(String text, int pos) {
        for (Opener o : openers) {
            if (text.regionMatches(false, pos, o.start(), 0, o.start().length())) {
                return o;
            }
        }
        return null;
    }

    private Opener longestOpenerIgnoringCase(String text, int pos) {
        for (Opener o : openers) {
            if (text.regionMatches(true, pos, o.start(), 0, o.start().length())) {
                return o;
            }
        }
        return null;
    }

    /**
     * Rules whose tokenizer must also accept the whole text first, or null: sqlglot's Athena tokenizes with Hive's
     * and Trino's rules combined before it tokenizes again with Trino's, so it refuses what the first pass refuses.
     */
    LexicalRules firstPass() {
        return firstPass;
    }

    /** sqlglot's {@code _scan_comment}: line comments stop before a line break, block comments may nest. */
    private Lexeme comment(String text, int pos, String start) {
        String end = comments.get(start);
        int n = text.length();
        if (end == null) {
            int i = pos + start.length();
            while (i < n && text.charAt(i) != '\n' && text.charAt(i) != '\r') {
                i++;
            }
            return new Lexeme(Kind.COMMENT, pos, i, true, text.substring(pos + start.length(), i), "\n");
        }
        int i = pos + start.length();
        int depth = 1;
        while (i < n - 1) {
            if (text.startsWith(end, i)) {
                depth--;
                if (depth == 0) {
                    return new Lexeme(Kind.COMMENT, pos, i + end.length(), true,
                            text.substring(pos + start.length(), i), end);
                }
            }
            i++;
            // sqlglot compares the next end-sized chunk with the opener, so "/*+" hints never nest
            if (nestedComments && i < n - 1 && start.length() == end.length() && text.startsWith(start, i)) {
                i += start.length();
                depth++;
            }
        }
        return new Lexeme(Kind.COMMENT, pos, n, false, text.substring(Math.min(n, pos + start.length())), end);
    }

    /** {@code $$...$$} and {@code $tag$...$tag$} (sqlglot's HEREDOC_STRING handling in {@code _scan_string}). */
    private Lexeme heredoc(String text, int pos) {
        int tagEnd = text.indexOf('$', pos + 1);
        if (tagEnd < 0) {
            // ClickHouse's tag need not look like a name, so sqlglot insists on its closing $
            return heredoc == Heredoc.ANY_TAG ? new Lexeme(Kind.STRING, pos, text.length(), false, "", "$",
                    "sqlglot reads this $ as the start of a $tag$ string, but no $ closes the tag") : null;
        }
        String tag = text.substring(pos + 1, tagEnd);
        if (heredoc == Heredoc.IDENTIFIER_TAG && !tag.isEmpty()
                && (tag.chars().allMatch(Character::isDigit) || tag.chars().anyMatch(Character::isWhitespace))) {
            return null;
        }
        String delimiter = "$" + tag + "$";
        // a heredoc is not a raw string to sqlglot: its escape characters still pair up
        return extract(text, pos, tagEnd + 1, delimiter, stringEscapes, false, Kind.STRING);
    }

    /**
     * sqlglot's {@code _extract_string}: a character in {@code escapes} escapes the next one when that is the
     * delimiter or another escape character (MySQL's backslash escapes anything outside ESCAPE_FOLLOW_CHARS); a
     * string quote only escapes itself, doubled.
     */
    private Lexeme extract(String text, int start, int from, String delimiter, Set<Character> escapes,
                           boolean noEscapes, Kind kind) {
        StringBuilder value = new StringBuilder();
        int n = text.length();
        int i = from;
        while (i < n) {
            char c = text.charAt(i);
            char peek = i + 1 < n ? text.charAt(i + 1) : '\0';
            boolean hasPeek = i + 1 < n;
            if (!noEscapes && unescapesSequences && hasPeek && escapes.contains(c)) {
                String seq = UNESCAPED.get("" + c + peek);
                if (seq != null) {
                    value.append(seq);
                    i += 2;
                    continue;
                }
            }
            boolean customEscape = !escapeFollowChars.isEmpty() && c == '\\'
                    && (!hasPeek || !escapeFollowChars.contains(peek));
            boolean peekIsDelimiter = hasPeek && delimiter.length() == 1 && peek == delimiter.charAt(0);
            if (!noEscapes && escapes.contains(c)
                    && (peekIsDelimiter || (hasPeek && escapes.contains(peek)) || customEscape)
                    && (!singleQuotes.contains(c) || c == peek)) {
                if (!hasPeek) {
                    break;
                }
                if (peekIsDelimiter) {
                    value.append(peek);
                } else if (customEscape && c != peek) {
                    value.append(peek);
                } else {
                    value.append(c).append(peek);
                }
                i += 2;
            } else if (text.startsWith(delimiter, i)) {
                return new Lexeme(kind, start, i + delimiter.length(), true, value.toString(), delimiter);
            } else {
                value.append(c);
                i++;
            }
        }
        return new Lexeme(kind, start, n, false, value.toString(), delimiter);
    }

    // ---- the dialects' facts, as the pinned sqlglot's tokenizers declare them ----

    /** An empty rule set for a dialect to fill in: every attribute is given explicitly, none inherited. */
    static Builder rules() {
        return new Builder();
    }

    /** Fluent setters named after sqlglot's Tokenizer attributes. */
    static final class Builder {
        private final Map<Character, Character> identifiers = new LinkedHashMap<>();
        private final Map<String, Opener> openers = new LinkedHashMap<>();
        private final List<String> quotes = new ArrayList<>();
        private String stringEscapes = "";
        private String byteStringEscapes = "";
        private String identifierEscapes = "";
        private String escapeFollowChars = "";
        private boolean escapesInRawStrings = true;
        private final Map<String, String> comments = new LinkedHashMap<>();
        private boolean nestedComments;
        private Heredoc heredoc = Heredoc.NONE;
        private Builder firstPass;
        private String wordChars = "";
        private boolean dollarInNames = true;
        /** sqlglot's base Tokenizer has the range operator -|- in every dialect. */
        private final List<String> operators = new ArrayList<>(List.of("-|-"));

        /** QUOTES, each closing itself ({@code '}, {@code "}, {@code '''}); replaces the inherited ones. */
        Builder quotes(String... quotes) {
            this.quotes.forEach(q -> openers.remove(q));
            this.quotes.clear();
            for (String q : quotes) {
                this.quotes.add(q);
                openers.put(q, new Opener(q, q, StringKind.PLAIN));
            }
            return this;
        }

        /** IDENTIFIERS as open-close pairs: {@code "\"\""}, {@code "``"}, {@code "[]"}. */
        Builder identifiers(String... pairs) {
            identifiers.clear();
            for (String p : pairs) {
                identifiers.put(p.charAt(0), p.charAt(1));
            }
            return this;
        }

        Builder stringEscapes(String chars) {
            stringEscapes = chars;
            return this;
        }

        Builder byteStringEscapes(String chars) {
            byteStringEscapes = chars;
            return this;
        }

        Builder identifierEscapes(String chars) {
            identifierEscapes = chars;
            return this;
        }

        /** ESCAPE_FOLLOW_CHARS: MySQL's backslash escapes any character but these. */
        Builder escapeFollowChars(String chars) {
            escapeFollowChars = chars;
            return this;
        }

        /** STRING_ESCAPES_ALLOWED_IN_RAW_STRINGS. */
        Builder escapesInRawStrings(boolean allowed) {
            escapesInRawStrings = allowed;
            return this;
        }

        /** COMMENTS by their openers: {@code /*} and {@code /*+} close with {@code * /}, Jinja's {@code {#} with
         *  {@code #}}, the rest ({@code --}, {@code #}, {@code //}, {@code #!}) at the end of the line. */
        Builder comments(String... starts) {
            comments.clear();
            for (String start : starts) {
                comments.put(start, switch (start) {
                    case "/*", "/*+" -> "*/";
                    case "{#" -> "#}";
                    default -> null;
                });
            }
            return this;
        }

        Builder nested(boolean nests) {
            nestedComments = nests;
            return this;
        }

        /** Prefixed strings ({@code r'}, {@code B"""}, {@code U&'}): each closes with the quote it ends with. */
        Builder prefixes(StringKind kind, String... prefixes) {
            for (String p : prefixes) {
                int q = 0;
                while (q < p.length() && (Character.isLetter(p.charAt(q)) || p.charAt(q) == '&')) {
                    q++;
                }
                openers.put(p, new Opener(p, p.substring(q), kind));
            }
            return this;
        }

        /** Snowflake's {@code $$...$$} raw string. */
        Builder dollarRaw() {
            openers.put("$$", new Opener("$$", "$$", StringKind.RAW));
            return this;
        }

        Builder heredoc(Heredoc kind) {
            heredoc = kind;
            return this;
        }

        /**
         * Operators (tokenizer KEYWORDS) that overlap a comment or string opener, so sqlglot's longest match reads
         * them whole: {@code #>} where {@code #} starts a comment, {@code #-} before {@code -}, {@code //} before
         * {@code *}.
         */
        Builder operators(String... ops) {
            operators.addAll(List.of(ops));
            return this;
        }

        /** {@code $} is a token of its own (a SINGLE_TOKEN that is no VAR_SINGLE_TOKEN), so it ends a name. */
        Builder dollarEndsNames() {
            dollarInNames = false;
            return this;
        }

        /** Punctuation that is no single token, so it is part of a name (see {@link LexicalRules#wordChar}). */
        Builder wordChars(String chars) {
            wordChars = chars;
            return this;
        }

        /** Rules the whole text must also pass first (see {@link LexicalRules#firstPass()}). */
        Builder firstPass(Builder rules) {
            firstPass = rules;
            return this;
        }

        LexicalRules build() {
            return new LexicalRules(this);
        }
    }

    static final StringKind PLAIN = StringKind.PLAIN;
    static final StringKind RAW = StringKind.RAW;
    static final StringKind BYTE = StringKind.BYTE;
    static final StringKind HEX = StringKind.HEX;
    static final StringKind BIT = StringKind.BIT;

    /** What Python's int(text, 16) / int(text, 2) accepts, which sqlglot asks of hex and bit strings. */
    private static final java.util.regex.Pattern HEX_DIGITS =
            java.util.regex.Pattern.compile("\\s*[+-]?(0[xX])?_?[0-9a-fA-F]+(_[0-9a-fA-F]+)*\\s*");
    private static final java.util.regex.Pattern BIT_DIGITS =
            java.util.regex.Pattern.compile("\\s*[+-]?(0[bB])?_?[01]+(_[01]+)*\\s*");
}
