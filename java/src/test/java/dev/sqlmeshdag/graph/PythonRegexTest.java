package dev.sqlmeshdag.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sqlmeshdag.parse.PythonOracle;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** model_pattern is Python's re.search: the translated pattern must find exactly what Python's finds. */
class PythonRegexTest {

    /** Model names as users write them, and the strings where the two regex dialects part ways. */
    static final List<String> SUBJECTS = List.of("sushi.orders", "marts.daily_revenue", "raw.Orders", "staging.x1",
            "analytics.customer_totals_v2", "a.b.c", "db.\"quoted name\".t", "", "a", "aa", "aaa", "a\n", "a\nb",
            "\n", "\r\n", "ab\r", "x\u2028y", "x\u0085", "Ä.straße", "STRASSE", "\u212a", "k", "K", "\u017f", "s", "S",
            "x1\u00b2", "\u0663", "\u2167", "a_b", "a-b", "tab\there", "\u00a0", "\u001c", "\u200b", "caf\u00e9",
            "cafe\u0301", "\ud83d\ude00.model", "[x]", "{a}", "a{2}", "a{,2}", "ab&&c", "#c", " spaced ", "\u0130",
            "\u01c5", "\u03a3\u03c3\u03c2", "\u0000", "\b", "A.B", "{", "}", "a{}", "x.y_z-1");

    static final List<String> PATTERNS = List.of("^marts\\.", "orders$", "^(raw|marts)\\.(orders|daily_revenue)$",
            "\\.", ".", "^$", "\\A\\Z", "a\\Z", "a$", "(?m)^b", "(?m)^$", "(?m)a$", "(?s)a.b", "a.b", "\\d", "\\D+",
            "\\w+\\.\\w+", "\\W", "\\s", "\\S", "\\b", "\\B", "\\bx", "a\\b", "\\Bb", "[a-z]+", "[^a-z]", "[\\w.]+$",
            "[\\d]", "[\\s]", "[]a]", "[^]a]", "[[]", "[a&&b]", "[a-]", "[-a]", "[\\-]", "[\\b]", "[\\x41-\\x5a]",
            "(?i)strasse", "(?i)k", "(?i)s", "(?i)\u00df", "(?i)[a-z]", "(?i)\u03c3", "(?i)\u0130", "(?i:A)\\.b",
            "A(?-i:b)", "(?i)A(?-i:b)", "a{2}", "a{,2}$", "^a{1,}$", "a{}", "a{", "{a}", "x{2,1", "a{2}?", "a*?b",
            "a++", "(?>a+)a", "a*+a", "(?:ab)+", "(?P<x>a)b", "(?=a)a", "(?!a).", "(?<=a)b", "(?<!a)b", "(?#hi)a",
            "\\x61", "\\u00e9", "\\U0001F600", "\ud83d\ude00", "\\N{LATIN SMALL LETTER E WITH ACUTE}", "\\0", "\\011",
            "\\t", "\\n", "\\a", "\\v", "\\f", "(?x) a b # comment", "(?x)a\\ b", "(?x)[ ]", "(?x)a {2}", "(?x)a{2, 3}",
            "\\.", "\\[", "\\{", "\\#", "\\&", "&&", "]", "}", "a|", "|", "()", "(a)|b", "x.y_z-1", "^\\w+$", "caf\u00e9",
            "\\d{2}", "[\u00c0-\u00ff]", "(?u)a", "\\^", "[\\^a]", "[a^]", "\\$", "^\\s*$", "(?s).", "(?ms)^.$");

    /** What has no exact Java counterpart: refused with a message, never evaluated differently. */
    static final Map<String, String> REFUSED = Map.of(
            "(a)\\1", "back-reference", "(?P<n>a)(?P=n)", "back-reference", "(a)?(?(1)b|c)", "conditional",
            "(?a)\\w", "(?a)", "[\\W_]", "\\W inside a set", "[^\\S]", "\\S inside a set", "(?x:a b)", "flag x",
            "(?m:^a)", "flag m");

    @Test
    void findsWhatPythonsReSearchFinds() throws Exception {
        assertSameAsPython(PATTERNS, true);
    }

    /** Random patterns from the pieces where the dialects differ; those Python refuses are skipped. */
    @Test
    void randomPatternsFindWhatPythonFinds() throws Exception {
        List<String> pieces = List.of("a", "b", "s", "K", "k", ".", "^", "$", "*", "+", "?", "{2}", "{,2}", "{1,}",
                "{", "}", "[ab]", "[^a]", "[a-z]", "[\\w.]", "[\\d]", "[]a]", "[[a]", "[a&&b]", "\\w", "\\W", "\\d",
                "\\D", "\\s", "\\S", "\\b", "\\B", "\\A", "\\Z", "\\.", "\\n", "(", ")", "(?:", "(?=", "(?!", "|",
                "(?<=a)", "\\x41", "\u00e9", " ", "#", "\\-", "\n", "\u212a", "\u017f");
        List<String> prefixes = List.of("", "", "", "(?i)", "(?m)", "(?s)", "(?x)", "(?ix)");
        Random random = new Random(14);
        List<String> patterns = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            StringBuilder p = new StringBuilder(prefixes.get(random.nextInt(prefixes.size())));
            for (int n = 1 + random.nextInt(6); n > 0; n--) {
                p.append(pieces.get(random.nextInt(pieces.size())));
            }
            patterns.add(p.toString());
        }
        int compared = assertSameAsPython(patterns, false);
        assertTrue(compared > 1000, "only " + compared + " random patterns were valid Python");
    }

    @Test
    void refusesWhatItCannotEvaluateExactly() throws Exception {
        JsonNode python = PythonOracle.run(PythonRegexTest.class, "python_re_search.py",
                Map.of("patterns", List.copyOf(REFUSED.keySet()), "subjects", List.of("a")));
        int i = 0;
        for (String pattern : REFUSED.keySet()) {
            assertTrue(python.get(i++).isArray(), "Python accepts " + pattern);
            PythonRegex.Unsupported e = assertThrows(PythonRegex.Unsupported.class, () -> PythonRegex.compile(pattern));
            assertTrue(e.getMessage().contains(REFUSED.get(pattern)) && e.getMessage().contains(pattern),
                    e.getMessage());
        }
    }

    /** Every pattern Python accepts finds the same subjects in Java (or, with {@code all}, none is refused). */
    private static int assertSameAsPython(List<String> patterns, boolean all) throws Exception {
        JsonNode python = PythonOracle.run(PythonRegexTest.class, "python_re_search.py",
                Map.of("patterns", patterns, "subjects", SUBJECTS));
        int compared = 0;
        List<String> differences = new ArrayList<>();
        for (int p = 0; p < patterns.size(); p++) {
            String pattern = patterns.get(p);
            if (python.get(p).isNull()) {
                assertTrue(!all, "Python refuses " + pattern);
                continue;
            }
            Pattern java;
            try {
                java = PythonRegex.compile(pattern);
            } catch (PythonRegex.Unsupported e) {
                assertTrue(!all, e.getMessage());
                continue;
            }
            compared++;
            for (int s = 0; s < SUBJECTS.size(); s++) {
                boolean expected = python.get(p).get(s).asBoolean();
                if (java.matcher(SUBJECTS.get(s)).find() != expected) {
                    differences.add(escape(pattern) + " on " + escape(SUBJECTS.get(s)) + ": Python " + expected);
                }
            }
        }
        assertEquals(List.of(), differences);
        return compared;
    }

    private static String escape(String s) {
        StringBuilder out = new StringBuilder("'");
        s.codePoints().forEach(c -> out.append(c >= 32 && c < 127 ? Character.toString(c)
                : String.format("\\u%04x", c)));
        return out.append("'").toString();
    }
}
