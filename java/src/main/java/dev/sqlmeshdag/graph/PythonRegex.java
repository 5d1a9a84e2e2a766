package dev.sqlmeshdag.graph;

import java.util.regex.Pattern;

/**
 * A Python {@code re} pattern (as {@code model_pattern} is written) rewritten for {@code java.util.regex}, so that
 * {@code compile(p).matcher(s).find()} answers exactly as Python's {@code re.search(p, s)}.
 *
 * <p>The two syntaxes agree on most of what a pattern says but not all, so the pattern is read the way Python's
 * {@code sre_parse} reads it and written out again: every literal as {@code \x{..}}, Python's Unicode classes
 * ({@code \d}, {@code \w}, {@code \s}, {@code \b}) spelled out with the character sets Python uses, {@code \Z} as
 * Java's {@code \z}, {@code x{,n}} as {@code x{0,n}}, a {@code {} that is no quantifier as a literal, a {@code [} or
 * {@code &&} inside a set as literals, verbose mode's whitespace and comments dropped. What has no exact
 * counterpart (back-references, conditionals, the ASCII and locale flags, verbose mode in a group) is refused.
 * Only patterns Python's {@code re.compile} accepts are given here; the Python side checks that first.
 */
public final class PythonRegex {

    /** A pattern Java cannot evaluate as Python does; the message names the construct and the place. */
    public static final class Unsupported extends IllegalArgumentException {
        Unsupported(String message) {
            super(message);
        }
    }

    /** Python's {@code \w} for str patterns: {@code str.isalnum()} or {@code _}. */
    private static final String WORD = "\\p{L}\\p{N}_";
    /** Python's {@code \s} for str patterns: exactly the characters for which {@code str.isspace()} holds. */
    private static final String SPACE = "\\x{9}-\\x{d}\\x{1c}-\\x{20}\\x{85}\\x{a0}\\x{1680}\\x{2000}-\\x{200a}"
            + "\\x{2028}\\x{2029}\\x{202f}\\x{205f}\\x{3000}";
    private static final String DIGIT = "\\p{Nd}";
    private static final String VERBOSE_SPACE = " \t\n\r\u000b\f";

    private final String src;
    private int pos;
    private boolean verbose;
    private boolean multiline;
    private int flags = Pattern.UNIX_LINES;
    private final StringBuilder out = new StringBuilder();

    private PythonRegex(String src) {
        this.src = src;
    }

    /** The Java pattern that finds what Python's {@code re.search(python, ...)} finds. */
    public static Pattern compile(String python) {
        PythonRegex r = new PythonRegex(python);
        r.translate();
        return Pattern.compile(r.out.toString(), r.flags);
    }

    private void translate() {
        globalFlags();
        while (pos < src.length()) {
            char c = src.charAt(pos++);
            if (verbose && VERBOSE_SPACE.indexOf(c) >= 0) {
                continue;
            }
            if (verbose && c == '#') {
                while (pos < src.length() && src.charAt(pos) != '\n') {
                    pos++;
                }
                continue;
            }
            switch (c) {
                case '\\' -> escape();
                case '[' -> set();
                case '(' -> group();
                case ')', '|', '$', '.', '*', '+', '?' -> out.append(c);
                // Python's multi-line ^ also matches after a newline that ends the text; Java's does not.
                case '^' -> out.append(multiline ? "(?:\\A|(?<=\\n))" : "^");
                case '{' -> brace();
                default -> literal(codePoint(c));
            }
        }
    }

    /** {@code (?imsx)} groups at the start set flags for the whole pattern (Python refuses them elsewhere). */
    private void globalFlags() {
        while (src.startsWith("(?", pos) && pos + 2 < src.length() && Character.isLetter(src.charAt(pos + 2))) {
            int close = src.indexOf(')', pos);
            String letters = src.substring(pos + 2, close);
            if (!letters.chars().allMatch(Character::isLetter)) {
                return; // a scoped group such as (?i:...), read by group()
            }
            for (char f : letters.toCharArray()) {
                switch (f) {
                    case 'i' -> flags |= Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE;
                    case 'm' -> {
                        flags |= Pattern.MULTILINE;
                        multiline = true;
                    }
                    case 's' -> flags |= Pattern.DOTALL;
                    case 'x' -> verbose = true;
                    case 'u' -> {
                        // Unicode matching is already Python's default for str patterns
                    }
                    default -> throw unsupported("the flag (?" + f + ")", pos);
                }
            }
            pos = close + 1;
        }
    }

    private void escape() {
        int at = pos - 1;
        char c = src.charAt(pos++);
        switch (c) {
            case 'A' -> out.append("\\A");
            case 'Z' -> out.append("\\z");
            case 'b' -> out.append("(?:(?<=[" + WORD + "])(?![" + WORD + "])|(?<![" + WORD + "])(?=[" + WORD + "]))");
            // Python's \B never matches in an empty string (sre's AT_NON_BOUNDARY checks that first).
            case 'B' -> out.append("(?:(?<=[" + WORD + "])(?=[" + WORD + "])|(?<![" + WORD + "])(?![" + WORD
                    + "])(?:(?<=[\\x{0}-\\x{10FFFF}])|(?=[\\x{0}-\\x{10FFFF}])))");
            case 'd' -> out.append(DIGIT);
            case 'D' -> out.append("\\P{Nd}");
            case 'w' -> out.append('[').append(WORD).append(']');
            case 'W' -> out.append("[^").append(WORD).append(']');
            case 's' -> out.append('[').append(SPACE).append(']');
            case 'S' -> out.append("[^").append(SPACE).append(']');
            default -> {
                if (c >= '1' && c <= '9') {
                    int octal = threeDigitOctal(c);
                    if (octal < 0) {
                        throw unsupported("the back-reference \\" + c, at);
                    }
                    literal(octal);
                } else {
                    literal(characterEscape(c, at));
                }
            }
        }
    }

    /** {@code \NNN} with three octal digits is a character in Python; anything else starting with 1-9 a group. */
    private int threeDigitOctal(char first) {
        if (pos + 1 < src.length() && isOctal(first) && isOctal(src.charAt(pos)) && isOctal(src.charAt(pos + 1))) {
            int value = Integer.parseInt("" + first + src.charAt(pos) + src.charAt(pos + 1), 8);
            pos += 2;
            return value;
        }
        return -1;
    }

    /** The character an escape that means one character stands for (outside and inside sets). */
    private int characterEscape(char c, int at) {
        switch (c) {
            case 'a':
                return 7;
            case 'f':
                return '\f';
            case 'n':
                return '\n';
            case 'r':
                return '\r';
            case 't':
                return '\t';
            case 'v':
                return 0x0b;
            case 'x':
                return hex(2);
            case 'u':
                return hex(4);
            case 'U':
                return hex(8);
            case '0': {
                int end = pos;
                while (end < src.length() && end < pos + 2 && isOctal(src.charAt(end))) {
                    end++;
                }
                int value = Integer.parseInt("0" + src.substring(pos, end), 8);
                pos = end;
                return value;
            }
            case 'N': {
                int close = src.indexOf('}', pos);
                String name = src.substring(pos + 1, close);
                pos = close + 1;
                try {
                    return Character.codePointOf(name);
                } catch (IllegalArgumentException e) {
                    throw unsupported("the character name \\N{" + name + "}", at);
                }
            }
            default:
                if (c < 128 && Character.isLetterOrDigit(c)) {
                    throw unsupported("the escape \\" + c, at);
                }
                return c; // Python reads \ before any other character as that character
        }
    }

    private int hex(int digits) {
        int value = Integer.parseInt(src.substring(pos, pos + digits), 16);
        pos += digits;
        return value;
    }

    /** A set {@code [...]}: its first {@code ]} is a member, {@code [} and {@code &} are plain members. */
    private void set() {
        out.append('[');
        if (pos < src.length() && src.charAt(pos) == '^') {
            out.append('^');
            pos++;
        }
        boolean first = true;
        while (true) {
            char c = src.charAt(pos++);
            if (c == ']' && !first) {
                break;
            }
            first = false;
            int start = pos - 1;
            int lo = setMember(c, start);
            if (lo >= 0 && pos + 1 < src.length() && src.charAt(pos) == '-' && src.charAt(pos + 1) != ']') {
                pos++;
                char d = src.charAt(pos++);
                out.append('-');
                setMember(d, pos - 1);
            }
        }
        out.append(']');
    }

    /** Writes one member of a set; returns its character, or -1 for a class such as {@code \d}. */
    private int setMember(char c, int at) {
        if (c != '\\') {
            int cp = codePoint(c);
            appendCodePoint(cp);
            return cp;
        }
        char e = src.charAt(pos++);
        switch (e) {
            case 'd' -> out.append(DIGIT);
            case 'D' -> out.append("\\P{Nd}");
            case 'w' -> out.append(WORD);
            case 's' -> out.append(SPACE);
            case 'W', 'S' -> throw unsupported("\\" + e + " inside a set", at);
            case 'b' -> {
                appendCodePoint(8);
                return 8;
            }
            default -> {
                int value;
                if (e >= '1' && e <= '7') {
                    int end = pos;
                    while (end < src.length() && end < pos + 2 && isOctal(src.charAt(end))) {
                        end++;
                    }
                    value = Integer.parseInt(e + src.substring(pos, end), 8);
                    pos = end;
                } else {
                    value = characterEscape(e, at);
                }
                appendCodePoint(value);
                return value;
            }
        }
        return -1;
    }

    private void group() {
        int at = pos - 1;
        if (pos >= src.length() || src.charAt(pos) != '?') {
            out.append('(');
            return;
        }
        pos++;
        char c = src.charAt(pos);
        if (c == ':' || c == '=' || c == '!' || c == '>') {
            out.append("(?").append(c);
            pos++;
        } else if (src.startsWith("<=", pos) || src.startsWith("<!", pos)) {
            out.append("(?").append(src, pos, pos + 2);
            pos += 2;
        } else if (src.startsWith("P<", pos)) {
            pos = src.indexOf('>', pos) + 1;
            out.append('('); // only whether the pattern matches counts, so the name does not
        } else if (c == '#') {
            pos = src.indexOf(')', pos) + 1;
        } else if (src.startsWith("P=", pos)) {
            throw unsupported("the back-reference (?P=...)", at);
        } else if (c == '(') {
            throw unsupported("the conditional group (?(...)...)", at);
        } else {
            scopedFlags(at);
        }
    }

    /** {@code (?i:...)}, {@code (?-i:...)}, {@code (?s-m:...)}. */
    private void scopedFlags(int at) {
        int colon = src.indexOf(':', pos);
        String spec = src.substring(pos, colon);
        StringBuilder java = new StringBuilder("(?");
        for (char f : spec.toCharArray()) {
            switch (f) {
                case 'i' -> java.append(java.indexOf("-") < 0 ? "iu" : "i");
                case 's', '-' -> java.append(f);
                case 'u' -> {
                }
                default -> throw unsupported("the flag " + f + " in a group", at);
            }
        }
        out.append(java).append(':');
        pos = colon + 1;
    }

    /** {@code {m,n}} is a quantifier only when it has that exact form; any other {@code {} is a literal. */
    private void brace() {
        int i = pos;
        while (i < src.length() && Character.isDigit(src.charAt(i)) && src.charAt(i) < 128) {
            i++;
        }
        String lo = src.substring(pos, i);
        String hi = null;
        if (i < src.length() && src.charAt(i) == ',') {
            int j = ++i;
            while (i < src.length() && Character.isDigit(src.charAt(i)) && src.charAt(i) < 128) {
                i++;
            }
            hi = src.substring(j, i);
        }
        boolean quantifier = i < src.length() && src.charAt(i) == '}' && !(lo.isEmpty() && hi == null);
        if (!quantifier) {
            literal('{');
            return;
        }
        out.append('{').append(lo.isEmpty() ? "0" : lo);
        if (hi != null) {
            out.append(',').append(hi);
        }
        out.append('}');
        pos = i + 1;
    }

    private void literal(int codePoint) {
        appendCodePoint(codePoint);
    }

    private void appendCodePoint(int codePoint) {
        if (codePoint < 128 && Character.isLetterOrDigit(codePoint)) {
            out.append((char) codePoint);
        } else {
            out.append("\\x{").append(Integer.toHexString(codePoint)).append('}');
        }
    }

    /** {@code c}, or the code point it starts when it is the first half of a surrogate pair (then consumed). */
    private int codePoint(char c) {
        if (Character.isHighSurrogate(c) && pos < src.length() && Character.isLowSurrogate(src.charAt(pos))) {
            return Character.toCodePoint(c, src.charAt(pos++));
        }
        return c;
    }

    private static boolean isOctal(char c) {
        return c >= '0' && c <= '7';
    }

    private Unsupported unsupported(String what, int at) {
        return new Unsupported("model_pattern '" + src + "': " + what + " (at position " + at + ") has no exact "
                + "equivalent in the engine's regular expressions, so it cannot select models exactly as Python's "
                + "re.search would; write the pattern without it");
    }
}
