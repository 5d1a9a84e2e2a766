package dev.sqlmeshdag.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sqlmeshdag.core.ModelSource;
import dev.sqlmeshdag.core.Problems;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Splits the same model files with real SQLMesh and with our parser and compares the outcome: which
 * statement is the query, the pre- and post-statements, the property names, and whether the file is rejected.
 * Two SQLMesh quirks are left out on purpose: the statement right after {@code ON_VIRTUAL_UPDATE_END;} is
 * dropped by SQLMesh, and an inline audit before the query makes SQLMesh repeat the query as a pre-statement;
 * we keep that statement and do not repeat the query.
 * Runs when a Python with SQLMesh is available ({@code SQLMESH_PYTHON}, default the checkout's {@code .venv/bin/python},
 * which {@code bin/setup} creates; {@code bin/test-all} always provides it).
 */
class SqlmeshParityTest {

    private static final List<String> FILES = List.of(
            "MODEL (name a.b, kind FULL, cron '@daily'); SELECT 1 AS x",
            "-- description\nMODEL (name a.b, kind INCREMENTAL_BY_TIME_RANGE(time_column ds, batch_size 7), "
                    + "grain (id, ds), tags [x, 'y'],);\n@DEF(x, 1);\nCREATE TABLE foo AS SELECT 1;\n"
                    + "SELECT 1 AS x; -- trailing\nINSERT INTO foo SELECT 2;\n",
            "MODEL (name a.b); SELECT 1; AUDIT (name x); SELECT * FROM @this_model WHERE id IS NULL",
            "MODEL (name a.b);\nSELECT 1 AS x;\nON_VIRTUAL_UPDATE_BEGIN;\nGRANT SELECT ON VIEW @this_model TO ROLE r;\n"
                    + "JINJA_STATEMENT_BEGIN;\n{{ x }};\nJINJA_END;\nON_VIRTUAL_UPDATE_END;",
            "MODEL (name a.b); JINJA_STATEMENT_BEGIN; {% set y = 2 %}; JINJA_END; SELECT 1; UPDATE t SET a = 1",
            "MODEL (name a.b); FROM raw.t",
            "MODEL (name a.b); (SELECT 1) UNION ALL (SELECT 2)",
            "MODEL (name a.b); WITH x AS (SELECT 1) INSERT INTO y SELECT * FROM x; WITH z AS (SELECT 2) SELECT * FROM z",
            "MODEL (name a.b); @union('all', a, b)",
            "MODEL (name a.b); @my_query()",
            "MODEL (name a.b); @setup(); SELECT 1; @teardown()",
            "MODEL (name a.b); SELECT 1; SELECT 2",
            "MODEL (name a.b); VALUES (1)",
            "MODEL (name a.b); SELECT ';' AS s, /* ; */ \"a;b\" AS q -- ;\nFROM t",
            "MODEL (name a.b, kind FOO); SELECT 1",
            "MODEL (name a.b, kind FULL,, cron '@daily'); SELECT 1",
            "MODEL (name a.b, kind INCREMENTAL_BY_TIME_RANGE(time_column := ds)); SELECT 1",
            "MODEL (name 'a.b'); SELECT 1",
            "MODEL (name a.b kind FULL); SELECT 1",
            "MODEL (name a.b, kind FULL, column_descriptions (id = 'x', v = 'y'), physical_properties (p = 1), "
                    + "audits (not_null(columns := [id])), partitioned_by (date_trunc('day', ts), r), "
                    + "columns (id INT, v DECIMAL(10, 2)), blueprints ((c := a), (c := b))); SELECT 1",
            "MODEL (name a.b, kind VIEW (materialized true), session_properties (x = 'y')); SELECT 1;;",
            "MODEL (name a.b); SELECT 1 FROM t1) t",
            "MODEL (name a.b); SELECT 'abc",
            "MODEL (name a.b, kind FULL); CREATE TABLE x (a INT)",
            "MODEL (name a.b, enabled false, kind VIEW); SELECT 1",
            "SELECT 1 AS x",
            "MODEL (name a.b);\nCACHE TABLE x AS SELECT 1;\nSELECT * FROM x;\nUNCACHE TABLE x");

    @Test
    void splitsModelFilesLikeSqlmesh() throws Exception {
        ObjectMapper json = new ObjectMapper();
        JsonNode expected = PythonOracle.run(SqlmeshParityTest.class, "sqlmesh_split.py", FILES);
        assertEquals(FILES.size(), expected.size());
        List<String> mismatches = new ArrayList<>();
        for (int i = 0; i < FILES.size(); i++) {
            String text = FILES.get(i);
            Problems problems = new Problems();
            List<ModelSource> ours = SqlModelParser.parse("m.sql", text, "duckdb", problems);
            JsonNode theirs = expected.get(i);
            if (theirs.has("error")) {
                if (!problems.hasErrors()) {
                    mismatches.add(text + "\n  SQLMesh rejects it (" + theirs.get("error").asText() + "), we accept it");
                }
                continue;
            }
            if (problems.hasErrors()) {
                mismatches.add(text + "\n  SQLMesh accepts it, we report " + problems.errors());
                continue;
            }
            ModelSource m = ours.get(0);
            List<String> props = new ArrayList<>(m.properties().keySet());
            props.remove(m.properties().containsKey("description") && !json.convertValue(theirs.get("properties"),
                    List.class).contains("description") ? "description" : "");
            compare(mismatches, text, "properties", json.convertValue(theirs.get("properties"), List.class), props);
            compare(mismatches, text, "query", theirs.get("query").isNull() ? null : theirs.get("query").asText(),
                    m.jinja() ? null : m.query());
            compare(mismatches, text, "pre", json.convertValue(theirs.get("pre"), List.class), m.preStatements());
            compare(mismatches, text, "post", json.convertValue(theirs.get("post"), List.class), m.postStatements());
        }
        assertTrue(mismatches.isEmpty(), String.join("\n", mismatches));
        assertFalse(FILES.isEmpty());
    }

    private static void compare(List<String> out, String text, String what, Object theirs, Object ours) {
        if (!java.util.Objects.equals(theirs, ours)) {
            out.add(text + "\n  " + what + ": SQLMesh " + theirs + " vs ours " + ours);
        }
    }
}
