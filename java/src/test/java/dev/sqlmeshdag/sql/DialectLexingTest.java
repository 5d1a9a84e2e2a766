package dev.sqlmeshdag.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sqlmeshdag.parse.PythonOracle;
import dev.sqlmeshdag.sql.SqlToken.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Tokenizes tricky snippets with the pinned sqlglot's tokenizer and with the engine's {@link SqlLexer}, for every
 * dialect, and compares where strings, quoted identifiers, comments, brackets, commas and semicolons start and end,
 * the comments' texts, and which text sqlglot refuses.
 * Runs when a Python with SQLMesh is available ({@code SQLMESH_PYTHON}, default the checkout's
 * {@code .venv/bin/python}).
 */
class DialectLexingTest {

    /** Each is tokenized as {@code SELECT <snippet>\nzzz}: no leading command keyword, no trailing comment. */
    static final List<String> SNIPPETS = List.of(
            "'it\\'s' AS a FROM t",
            "'it''s' AS a FROM t",
            "'a\\\\' AS b, 'c' AS d FROM t",
            "'back\\slash' AS a, 'tab\\t' AS b FROM t",
            "'mysql \\% \\_ \\n \\x' AS a FROM t",
            "'-- not a comment' AS a, '/* nor */' AS b FROM t",
            "\"dq \\\" x\" AS a FROM t",
            "\"dq \"\" x\" AS a FROM t",
            "\"it's\" AS a FROM t",
            "`bt `` x` AS a FROM t",
            "`bt \\` x` AS a FROM t",
            "[br]]x] AS a, [y] AS b FROM t",
            "1 -- 'not a string\nAS a FROM t",
            "1 -- windows line\r\nAS a FROM t",
            "/* 'x' /* nested */ 'y' */ 1 AS a FROM t",
            "/*+ hint /* inner */ 1 AS a FROM t",
            "1 # hash 'x'\nAS a FROM t",
            "1 // slash 'x'\nAS a FROM t",
            "{# jinja 'x' #} 1 AS a FROM t",
            "$$ it's $$ AS a FROM t",
            "$$ a \\$$ AS a FROM t",
            "$tag$ it's $tag$ AS a FROM t",
            "$1, $2 FROM t",
            "r'\\d+' AS a, r'x\\'y' AS b FROM t",
            "R\"a\\\"b\" AS a FROM t",
            "e'it\\'s' AS a FROM t",
            "b'01' AS a, x'4F' AS b FROM t",
            "N'nat''x' AS a, U&'uni' AS b FROM t",
            "'''triple ' quote''' AS a FROM t",
            "\"\"\"a \" b\"\"\" AS a FROM t",
            "'a' 'b' AS a FROM t",
            "'a'||'b' AS a FROM t",
            "'unterminated FROM t",
            "\"ab\\\"c\" AS a FROM t",
            "'\\\\' AS a, '\\'' AS b FROM t",
            "'x\\\\\\'y' AS a FROM t",
            "1 #! shebang 'x'\nAS a FROM t",
            "$q$ never closed FROM t",
            "1 AS a FROM t WHERE b = $x",
            "1 #--x\nAS a FROM t",
            "a #>'x' AS b FROM t",
            "a //* b */ AS c FROM t",
            "1 |/* c */ 2 AS a FROM t",
            "1 -|-- c\nAS a FROM t",
            "b'012' AS a, x'4G' AS b FROM t",
            "e$$ AS a, t$x AS b FROM t",
            "/* a */ /* b /* c */ 'd' */ 1 AS a FROM t",
            "f('a;b', \"c)\", `d(`) AS a; SELECT [1, 2] FROM t",
            "(1) AS a, x[0] AS b FROM t; -- ; (\n(SELECT ')')");

    @Test
    void lexerSplitsLikeSqlglotForEveryDialect() throws Exception {
        assertSameAsSqlglot(SNIPPETS);
    }

    /** Random strings of quotes, escapes, comment markers, prefixes and brackets, from a fixed seed. */
    @Test
    void randomSnippetsSplitLikeSqlglot() throws Exception {
        String[] atoms = {"'", "\"", "`", "\\", "$", "#", "--", "/*", "*/", "//", "[", "]", "{#", "#}", "r", "e", "b",
            "x", "N", "U&", " ", "\n", "a", "$$", "$t$", "'''", "\"\"\"", "''", "1", ",", "#!", "/*+", "\\'", "-|-",
            "(", ")", ";"};
        java.util.Random random = new java.util.Random(20261203L);
        List<String> snippets = new ArrayList<>();
        for (int n = 0; n < 200; n++) {
            StringBuilder sb = new StringBuilder();
            for (int k = 1 + random.nextInt(8); k > 0; k--) {
                sb.append(atoms[random.nextInt(atoms.length)]);
            }
            snippets.add(sb.append(" AS q FROM t").toString());
        }
        assertSameAsSqlglot(snippets);
    }

    private static void assertSameAsSqlglot(List<String> snippets) throws Exception {
        ObjectMapper json = new ObjectMapper();
        List<Map<String, String>> cases = new ArrayList<>();
        List<Dialect> dialects = new ArrayList<>();
        for (Dialect d : Dialect.values()) {
            if (d == Dialect.MOTHERDUCK) {
                continue; // not a sqlglot dialect; it shares DuckDB's rules
            }
            for (String snippet : snippets) {
                cases.add(Map.of("dialect", sqlglotName(d), "sql", text(snippet)));
                dialects.add(d);
            }
        }
        JsonNode expected = PythonOracle.run(DialectLexingTest.class, "sqlglot_tokens.py", cases);
        assertEquals(cases.size(), expected.size());
        List<String> mismatches = new ArrayList<>();
        int refused = 0;
        for (int i = 0; i < cases.size(); i++) {
            Dialect d = dialects.get(i);
            String sql = cases.get(i).get("sql");
            JsonNode theirs = expected.get(i);
            String where = d + " " + json.writeValueAsString(sql) + ": ";
            // reading on past what sqlglot refuses never fails
            List<SqlToken> tolerant = SqlLexer.tokens(sql, d);
            List<SqlToken> withComments = SqlLexer.tokensWithComments(sql, d);
            List<SqlToken> tokens;
            try {
                tokens = SqlLexer.checkedTokens(sql, d);
            } catch (SqlSyntaxException e) {
                if (!theirs.has("error")) {
                    mismatches.add(where + "sqlglot reads it, the lexer refuses it: " + e.getMessage());
                }
                refused++;
                continue;
            }
            if (theirs.has("error")) {
                mismatches.add(where + "sqlglot refuses it (" + theirs.get("error").asText() + "), we read it");
                continue;
            }
            List<String> spans = new ArrayList<>();
            theirs.get("spans").forEach(s -> spans.add(span(s.get(0).asText(), s.get(1).asInt(), s.get(2).asInt(),
                    sql)));
            List<String> comments = new ArrayList<>();
            theirs.get("comments").forEach(c -> comments.add(c.asText()));

            List<String> ourSpans = new ArrayList<>();
            List<String> ourComments = new ArrayList<>();
            for (SqlToken t : tokens) {
                ourComments.addAll(t.comments());
                switch (t.kind()) {
                    case STRING -> ourSpans.add(span("string", t.start(), t.end(), sql));
                    case IDENTIFIER -> ourSpans.add(span("identifier", t.start(), t.end(), sql));
                    case LPAREN, RPAREN, LBRACKET, RBRACKET, COMMA, SEMICOLON ->
                            ourSpans.add(span(t.text(), t.start(), t.end(), sql));
                    default -> {
                    }
                }
            }
            if (!spans.equals(ourSpans)) {
                mismatches.add(where + "sqlglot " + spans + " vs ours " + ourSpans);
            }
            if (!comments.equals(ourComments)) {
                mismatches.add(where + "comments: sqlglot " + comments + " vs ours " + ourComments);
            }
            List<String> commentTokens = withComments.stream().filter(t -> t.is(Kind.COMMENT)).map(SqlToken::value)
                    .toList();
            if (!comments.equals(commentTokens)) {
                mismatches.add(where + "comment tokens: sqlglot " + comments + " vs ours " + commentTokens);
            }
            if (!tolerant.equals(tokens)
                    || !withComments.stream().filter(t -> !t.is(Kind.COMMENT)).toList().equals(tokens)) {
                mismatches.add(where + "the three ways of reading text sqlglot accepts give different tokens");
            }
        }
        assertTrue(mismatches.isEmpty(), mismatches.size() + " differences:\n" + String.join("\n", mismatches));
        // the snippets exercise both outcomes
        assertTrue(refused > 0 && refused < cases.size());
    }

    private static String span(String kind, int start, int end, String sql) {
        return kind + " " + start + "-" + end + " " + sql.substring(start, end);
    }

    static String text(String snippet) {
        return "SELECT " + snippet + "\nzzz";
    }

    static String sqlglotName(Dialect d) {
        return d == Dialect.GENERIC ? "" : d.name().toLowerCase(Locale.ROOT);
    }
}
