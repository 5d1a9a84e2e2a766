package dev.sqlmeshdag.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlmeshdag.core.Location;
import dev.sqlmeshdag.core.ModelSource;
import dev.sqlmeshdag.core.Problem;
import dev.sqlmeshdag.core.Problems;
import dev.sqlmeshdag.core.PropertyValue;
import dev.sqlmeshdag.core.PropertyValue.Call;
import dev.sqlmeshdag.core.PropertyValue.ListValue;
import dev.sqlmeshdag.core.PropertyValue.Raw;
import dev.sqlmeshdag.core.PropertyValue.Scalar;
import java.util.List;
import org.junit.jupiter.api.Test;

class SqlModelParserTest {

    private static final String FILE = "models/orders.sql";

    private static ModelSource one(String text) {
        Problems problems = new Problems();
        List<ModelSource> models = SqlModelParser.parse(FILE, text, problems);
        assertEquals(List.of(), problems.all(), "unexpected problems");
        assertEquals(1, models.size());
        return models.get(0);
    }

    /** The single problem the text produces, as users see it. */
    private static String error(String text) {
        Problems problems = new Problems();
        List<ModelSource> models = SqlModelParser.parse(FILE, text, problems);
        assertEquals(List.of(), models, "a file with errors yields no model");
        assertEquals(1, problems.all().size(), () -> "expected one problem, got " + problems.all());
        Problem p = problems.all().get(0);
        assertTrue(p.isError());
        return p.toString();
    }

    private static PropertyValue value(ModelSource m, String key) {
        return m.value(key).orElseThrow(() -> new AssertionError("no property " + key));
    }

    @Test
    void readsPropertiesAndQuery() {
        ModelSource m = one("""
                MODEL (
                  name sushi.orders, -- the table
                  kind FULL,
                  cron '@daily',
                  owner jen,
                  start '2024-01-01',
                  batch 7,
                  enabled true,
                );

                SELECT id, ds FROM raw.orders
                """);
        assertEquals(new Scalar("sushi.orders", false), value(m, "name"));
        assertEquals(new Scalar("FULL", false), value(m, "kind"));
        assertEquals(new Scalar("@daily", true), value(m, "cron"));
        assertEquals(new Scalar("jen", false), value(m, "owner"));
        assertEquals(new Scalar("7", false), value(m, "batch"));
        assertEquals(new Scalar("true", false), value(m, "enabled"));
        assertEquals(List.of("name", "kind", "cron", "owner", "start", "batch", "enabled"),
                List.copyOf(m.properties().keySet()));
        assertEquals("SELECT id, ds FROM raw.orders", m.query());
        assertEquals(new Location(FILE, 11, 1), m.queryLocation());
        assertEquals(new Location(FILE, 1, 1), m.location());
        assertEquals(new Location(FILE, 4, 3), m.property("cron").orElseThrow().location());
        assertFalse(m.python());
        assertFalse(m.jinja());
        assertEquals(List.of(), m.preStatements());
        assertEquals(List.of(), m.postStatements());
        assertEquals(java.util.Map.of(), m.blueprintVariables());
    }

    @Test
    void keywordsAndKindNamesAreCaseInsensitive() {
        ModelSource m = one("model (NAME a.b, Kind incremental_by_time_range (TIME_COLUMN ds)); select 1");
        assertEquals(new Call("INCREMENTAL_BY_TIME_RANGE", java.util.Map.of("time_column", new Scalar("ds", false)),
                List.of()), value(m, "kind"));
        assertEquals(new Scalar("a.b", false), value(m, "name"));
    }

    @Test
    void kindWithNestedArguments() {
        ModelSource m = one("""
                MODEL (
                  name a.b,
                  kind INCREMENTAL_BY_TIME_RANGE (
                    time_column (ds, '%Y-%m-%d'),
                    batch_size 7,
                    lookback 2,
                    forward_only true,
                    on_destructive_change warn
                  )
                );
                SELECT 1 AS ds
                """);
        Call kind = assertInstanceOf(Call.class, value(m, "kind"));
        assertEquals("INCREMENTAL_BY_TIME_RANGE", kind.name());
        assertEquals(List.of("time_column", "batch_size", "lookback", "forward_only", "on_destructive_change"),
                List.copyOf(kind.args().keySet()));
        assertEquals(new ListValue(List.of(new Scalar("ds", false), new Scalar("%Y-%m-%d", true)), true),
                kind.args().get("time_column"));
        assertEquals(new Scalar("7", false), kind.args().get("batch_size"));
    }

    @Test
    void uniqueKeyKindWithMergeExpressions() {
        ModelSource m = one("""
                MODEL (name a.b, kind INCREMENTAL_BY_UNIQUE_KEY (
                  unique_key (id, ds),
                  when_matched (WHEN MATCHED THEN UPDATE SET target.v = source.v),
                  merge_filter source.ds > target.ds AND target.x = 1
                ));
                SELECT 1
                """);
        Call kind = assertInstanceOf(Call.class, value(m, "kind"));
        assertEquals("(id, ds)", kind.args().get("unique_key").text());
        assertEquals(new Raw("source.ds > target.ds AND target.x = 1"), kind.args().get("merge_filter"));
        assertEquals("(WHEN MATCHED THEN UPDATE SET target.v = source.v)", kind.args().get("when_matched").text());
    }

    @Test
    void arrayConstructorIsTheSameListAsBrackets() {
        ModelSource m = one("""
                MODEL (name a.b, tags ARRAY[finance, 'pii'], audits array[not_null(columns := ARRAY[id]), x]);
                SELECT 1
                """);
        assertEquals(new ListValue(List.of(new Scalar("finance", false), new Scalar("pii", true)), false),
                value(m, "tags"));
        ListValue audits = assertInstanceOf(ListValue.class, value(m, "audits"));
        Call notNull = assertInstanceOf(Call.class, audits.items().get(0));
        assertEquals(new ListValue(List.of(new Scalar("id", false)), false), notNull.args().get("columns"));
        assertEquals(new Scalar("x", false), audits.items().get(1));
    }

    @Test
    void tuplesArraysCallsAndNamedItems() {
        ModelSource m = one("""
                MODEL (
                  name a.b,
                  grain (id, ds),
                  tags [finance, 'pii'],
                  partitioned_by (date_trunc('day', ts), region),
                  column_descriptions (id = 'the key', "Amount" = 'in ''EUR'''),
                  physical_properties (partition_expiration_days = 7, require_partition_filter = true),
                  audits (not_null(columns := [id, ds]), unique_values(columns = (id))),
                  signals [freshness(table := raw.t, lag := '1 day')],
                  references (customer_id AS customer),
                  columns (id INT, amount DECIMAL(10, 2))
                );
                SELECT 1
                """);
        assertEquals(new ListValue(List.of(new Scalar("id", false), new Scalar("ds", false)), true), value(m, "grain"));
        assertEquals(new ListValue(List.of(new Scalar("finance", false), new Scalar("pii", true)), false),
                value(m, "tags"));
        ListValue partitioned = assertInstanceOf(ListValue.class, value(m, "partitioned_by"));
        assertEquals(new Call("date_trunc", java.util.Map.of(), List.of(new Scalar("day", true), new Scalar("ts", false))),
                partitioned.items().get(0));
        Call descriptions = assertInstanceOf(Call.class, value(m, "column_descriptions"));
        assertEquals(new Scalar("in 'EUR'", true), descriptions.args().get("amount"));
        assertEquals(new Scalar("the key", true), descriptions.args().get("id"));
        Call physical = assertInstanceOf(Call.class, value(m, "physical_properties"));
        assertEquals(new Scalar("7", false), physical.args().get("partition_expiration_days"));
        ListValue audits = assertInstanceOf(ListValue.class, value(m, "audits"));
        Call notNull = assertInstanceOf(Call.class, audits.items().get(0));
        assertEquals("not_null", notNull.name());
        assertEquals("[id, ds]", notNull.args().get("columns").text());
        assertEquals("unique_values", ((Call) audits.items().get(1)).name());
        Call freshness = (Call) ((ListValue) value(m, "signals")).items().get(0);
        assertEquals(new Scalar("raw.t", false), freshness.args().get("table"));
        assertEquals(new Raw("customer_id AS customer"), ((ListValue) value(m, "references")).items().get(0));
        assertEquals(new Raw("amount DECIMAL(10, 2)"), ((ListValue) value(m, "columns")).items().get(1));
    }

    @Test
    void commentsAreIgnoredAndCommentAboveModelIsTheDescription() {
        ModelSource m = one("""
                -- Orders placed by customers
                /* one row per order */
                MODEL (
                  name /* inline */ a.b, -- trailing , comment with ) paren
                  kind FULL
                );
                SELECT 1
                """);
        assertEquals(new Scalar("a.b", false), value(m, "name"));
        assertEquals(new Scalar("Orders placed by customers\none row per order", true), value(m, "description"));
        assertEquals(3, m.property("description").orElseThrow().location().line());
    }

    @Test
    void explicitDescriptionWinsOverComment() {
        ModelSource m = one("-- ignored\nMODEL (name a.b, description 'it''s the real one'); SELECT 1");
        assertEquals(new Scalar("it's the real one", true), value(m, "description"));
    }

    @Test
    void quotedIdentifiersKeepTheirQuotesInTheName() {
        ModelSource m = one("MODEL (name \"My Db\".\"Orders\", owner \"jen\"); SELECT 1");
        assertEquals(new Scalar("\"My Db\".\"Orders\"", false), value(m, "name"));
        assertEquals(new Scalar("jen", false), value(m, "owner"));
    }

    @Test
    void emptyModelBlockHasNoProperties() {
        ModelSource m = one("MODEL ();\nSELECT 1");
        assertTrue(m.properties().isEmpty());
        assertEquals("SELECT 1", m.query());
    }

    @Test
    void fileWithoutModelBlockIsReturnedForNameInference() {
        ModelSource m = one("SELECT 1 AS x");
        assertTrue(m.properties().isEmpty());
        assertEquals("SELECT 1 AS x", m.query());
    }

    @Test
    void preAndPostStatementsAroundTheQuery() {
        ModelSource m = one("""
                MODEL (name a.b, kind FULL);

                @DEF(threshold, 1);
                CACHE TABLE x AS SELECT * FROM raw.x;
                CREATE TEMP TABLE t AS SELECT 1;

                WITH cte AS (SELECT 1 AS v) SELECT v FROM cte WHERE v > @threshold;

                UNCACHE TABLE x;
                INSERT INTO log SELECT 'done';
                """);
        assertEquals(List.of("@DEF(threshold, 1)", "CACHE TABLE x AS SELECT * FROM raw.x",
                "CREATE TEMP TABLE t AS SELECT 1"), m.preStatements());
        assertEquals("WITH cte AS (SELECT 1 AS v) SELECT v FROM cte WHERE v > @threshold", m.query());
        assertEquals(7, m.queryLocation().line());
        assertEquals(List.of("UNCACHE TABLE x", "INSERT INTO log SELECT 'done'"), m.postStatements());
    }

    @Test
    void semicolonsInStringsCommentsAndBracketsDoNotSplit() {
        ModelSource m = one("""
                MODEL (name a.b, description 'a; b');
                SELECT ';' AS s, /* ; */ "x;y" AS q, -- ;
                  (SELECT 1) AS sub
                """);
        assertEquals("SELECT ';' AS s, /* ; */ \"x;y\" AS q, -- ;\n  (SELECT 1) AS sub", m.query());
        assertEquals(new Scalar("a; b", true), value(m, "description"));
    }

    @Test
    void queryFormsSqlmeshAccepts() {
        assertEquals("FROM raw.t", one("MODEL (name a.b); FROM raw.t").query());
        assertEquals("(SELECT 1) UNION ALL (SELECT 2)", one("MODEL (name a.b); (SELECT 1) UNION ALL (SELECT 2)").query());
        assertEquals("@union('all', x, y)", one("MODEL (name a.b); CREATE TABLE t (a INT); @union('all', x, y)").query());
        assertEquals("@my_query()", one("MODEL (name a.b); @my_query()").query());
        ModelSource macroFirst = one("MODEL (name a.b); @my_setup(); SELECT 1");
        assertEquals(List.of("@my_setup()"), macroFirst.preStatements());
        assertEquals("SELECT 1", macroFirst.query());
        ModelSource withInsert = one("MODEL (name a.b); WITH x AS (SELECT 1) INSERT INTO y SELECT * FROM x; SELECT 2");
        assertEquals(List.of("WITH x AS (SELECT 1) INSERT INTO y SELECT * FROM x"), withInsert.preStatements());
        assertEquals("SELECT 2", withInsert.query());
    }

    @Test
    void macroCallsInTheQueryStayAsWritten() {
        ModelSource m = one("MODEL (name a.b, kind @model_kind_name); SELECT @IF(@x, 1, 2) FROM @{schema}.t");
        assertEquals("SELECT @IF(@x, 1, 2) FROM @{schema}.t", m.query());
        assertEquals("@model_kind_name", value(m, "kind").text());
    }

    @Test
    void inlineAuditsAreNeitherQueryNorStatements() {
        ModelSource m = one("""
                MODEL (name a.b, audits (assert_positive));
                SELECT 1 AS id;
                AUDIT (name assert_positive);
                SELECT * FROM @this_model WHERE id <= 0;
                """);
        assertEquals("SELECT 1 AS id", m.query());
        assertEquals(List.of(), m.postStatements());
    }

    @Test
    void inlineAuditBeforeTheQueryTakesOnlyTheStatementAfterIt() {
        ModelSource m = one("""
                MODEL (name a.b);
                AUDIT (name no_nulls);
                SELECT * FROM @this_model WHERE id IS NULL;
                SELECT 1 AS id
                """);
        assertEquals("SELECT 1 AS id", m.query());
        assertEquals(List.of(), m.preStatements());
        assertEquals(new Location(FILE, 4, 1), m.queryLocation());
    }

    @Test
    void modelBlockMustEndWithASemicolon() {
        assertEquals("models/orders.sql:2:1: unexpected 'SELECT' after the MODEL block; end the block with ';'",
                error("MODEL (name a.b)\nSELECT 1"));
    }

    @Test
    void onVirtualUpdateBlockIsSetAside() {
        ModelSource m = one("""
                MODEL (name a.b);
                SELECT 1 AS x;
                ON_VIRTUAL_UPDATE_BEGIN;
                GRANT SELECT ON VIEW @this_model TO ROLE reader;
                JINJA_STATEMENT_BEGIN;
                {{ grant() }};
                JINJA_END;
                ON_VIRTUAL_UPDATE_END;
                ANALYZE a.b;
                """);
        assertEquals("SELECT 1 AS x", m.query());
        assertEquals(List.of("ANALYZE a.b"), m.postStatements());
    }

    @Test
    void jinjaQueryIsKeptVerbatim() {
        ModelSource m = one("""
                MODEL (name a.b);
                JINJA_STATEMENT_BEGIN;
                {% set x = 1 %};
                JINJA_END;
                JINJA_QUERY_BEGIN;
                SELECT {{ x }} AS x; -- not a split
                FROM {{ ref('t') }}
                JINJA_END;
                """);
        assertTrue(m.jinja());
        assertEquals("SELECT {{ x }} AS x; -- not a split\nFROM {{ ref('t') }}", m.query());
        assertEquals(new Location(FILE, 6, 1), m.queryLocation());
        assertEquals(List.of("JINJA_STATEMENT_BEGIN;\n{% set x = 1 %};\nJINJA_END"), m.preStatements());
    }

    @Test
    void seedModelNeedsNoQuery() {
        ModelSource m = one("MODEL (name a.b, kind SEED (path '../seeds/b.csv', batch_size 100))");
        assertNull(m.query());
        assertEquals(new Scalar("../seeds/b.csv", true), ((Call) value(m, "kind")).args().get("path"));
    }

    @Test
    void enabledFalseIsParsedAndKept() {
        ModelSource m = one("MODEL (name a.b, enabled false); SELECT 1");
        assertEquals(new Scalar("false", false), value(m, "enabled"));
    }

    @Test
    void blueprintsGiveOneModelPerEntry() {
        Problems problems = new Problems();
        List<ModelSource> models = SqlModelParser.parse(FILE, """
                MODEL (
                  name @{customer}.orders,
                  blueprints ((Customer := acme, id := 1), (customer := 'globex', id := 2))
                );
                SELECT @id AS id FROM @{customer}.raw
                """, problems);
        assertEquals(List.of(), problems.all());
        assertEquals(2, models.size());
        assertEquals(new Scalar("acme", false), models.get(0).blueprintVariables().get("customer"));
        assertEquals(new Scalar("1", false), models.get(0).blueprintVariables().get("id"));
        assertEquals(new Scalar("globex", true), models.get(1).blueprintVariables().get("customer"));
        assertEquals(new Scalar("@{customer}.orders", false), value(models.get(1), "name"));
        assertEquals("SELECT @id AS id FROM @{customer}.raw", models.get(1).query());
    }

    @Test
    void otherBlueprintFormsFollowSqlmesh() {
        Problems problems = new Problems();
        List<ModelSource> array = SqlModelParser.parse(FILE,
                "MODEL (name s.@{c}, blueprints [(c := a), (c := b), (c := d)]); SELECT 1", problems);
        assertEquals(List.of("a", "b", "d"),
                array.stream().map(m -> m.blueprintVariables().get("c").text()).toList());
        List<ModelSource> single = SqlModelParser.parse(FILE,
                "MODEL (name s.@{c}, blueprints (c := a)); SELECT 1", problems);
        assertEquals(1, single.size());
        // SQLMesh reads a bare tuple of assignments as one single-variable blueprint per item.
        List<ModelSource> bare = SqlModelParser.parse(FILE,
                "MODEL (name s.@{c}, blueprints (c := a, d := b)); SELECT 1", problems);
        assertEquals(2, bare.size());
        assertEquals(java.util.Map.of("d", new Scalar("b", false)), bare.get(1).blueprintVariables());
        assertEquals(List.of(), problems.all());
    }

    @Test
    void blueprintsThatAreNotMappingsAreAnError() {
        assertEquals("models/orders.sql:1:18: each blueprint must be a key-value mapping such as (customer := a), "
                + "got 'a'", error("MODEL (name s.t, blueprints (a, b)); SELECT 1"));
        assertTrue(error("MODEL (name s.@{c}, blueprints @each(['a'], x -> (c := x))); SELECT 1")
                .startsWith("models/orders.sql:1:21: blueprints built by the macro @each cannot be read"));
    }

    @Test
    void dialectDecidesQuoting() {
        ModelSource bq = one("""
                MODEL (name a.b, dialect bigquery);
                SELECT "it's; fine" AS s, 'don\\'t' AS t, `x;y` # comment; here
                FROM `p.d.t`
                """);
        assertEquals("SELECT \"it's; fine\" AS s, 'don\\'t' AS t, `x;y` # comment; here\nFROM `p.d.t`", bq.query());
        Problems problems = new Problems();
        List<ModelSource> pg = SqlModelParser.parse(FILE, "MODEL (name a.b); SELECT $$a;b$$ AS s", "postgres",
                problems);
        assertEquals("SELECT $$a;b$$ AS s", pg.get(0).query());
    }

    @Test
    void unknownKindListsTheValidOnes() {
        assertEquals("models/orders.sql:3:8: unknown model kind 'INCREMENTAL'; use one of INCREMENTAL_BY_TIME_RANGE, "
                + "INCREMENTAL_BY_UNIQUE_KEY, INCREMENTAL_BY_PARTITION, INCREMENTAL_UNMANAGED, FULL, SCD_TYPE_2, "
                + "SCD_TYPE_2_BY_TIME, SCD_TYPE_2_BY_COLUMN, VIEW, EMBEDDED, SEED, EXTERNAL, CUSTOM, MANAGED, DBT_CUSTOM",
                error("MODEL (\n  name a.b,\n  kind INCREMENTAL\n);\nSELECT 1"));
    }

    @Test
    void kindArgumentErrors() {
        assertEquals("models/orders.sql:1:61: kind arguments are written 'key value' without ':='; "
                + "write 'time_column ds'",
                error("MODEL (name a.b, kind INCREMENTAL_BY_TIME_RANGE(time_column := ds)); SELECT 1"));
        assertEquals("models/orders.sql:1:28: kind FULL takes no arguments; remove the parentheses after it",
                error("MODEL (name a.b, kind FULL (x 1)); SELECT 1"));
        assertEquals("models/orders.sql:1:49: argument 'time_column' of kind INCREMENTAL_BY_TIME_RANGE has no "
                + "value; write 'time_column <value>'",
                error("MODEL (name a.b, kind INCREMENTAL_BY_TIME_RANGE(time_column)); SELECT 1"));
    }

    @Test
    void unbalancedParentheses() {
        assertEquals("models/orders.sql:1:7: '(' is never closed; add the missing ')' (the ';' at line 5, column 2 "
                + "is inside it)",
                error("MODEL (\n  name a.b,\n  grain (id, ds,\n  kind FULL\n);\nSELECT 1"));
        assertEquals("models/orders.sql:2:17: ')' has no matching '('; remove it or add the missing opening bracket",
                error("MODEL (name a.b);\nSELECT 1 FROM t1) t"));
        assertEquals("models/orders.sql:1:24: ']' closes the '(' opened at line 1, column 22; use ')' there",
                error("MODEL (name a.b, tags(a]); SELECT 1"));
    }

    @Test
    void unterminatedStringAndComment() {
        assertEquals("models/orders.sql:2:20: string starting here is never closed; add the closing '",
                error("MODEL (name a.b);\nSELECT 1 WHERE x = 'abc;\n"));
        assertEquals("models/orders.sql:1:18: comment '/*' is never closed; add '*/'",
                error("MODEL (name a.b, /* kind FULL); SELECT 1"));
        assertEquals("models/orders.sql:1:13: quoted identifier starting here is never closed; add the closing \"",
                error("MODEL (name \"a.b); SELECT 1"));
    }

    @Test
    void missingQueryAndExtraQuery() {
        assertEquals("models/orders.sql:1:1: the model has no query; add a SELECT statement (or a "
                + "JINJA_QUERY_BEGIN; ... JINJA_END; block) after the MODEL block",
                error("MODEL (name a.b, kind FULL);\nCREATE TABLE x (a INT);"));
        assertEquals("models/orders.sql:3:1: only one query is allowed per model and the query at line 2, column 1 "
                + "is already this model's query; move this SELECT into its own model or remove it",
                error("MODEL (name a.b);\nSELECT 1;\nSELECT 2;"));
    }

    @Test
    void propertySyntaxErrors() {
        assertEquals("models/orders.sql:1:17: unexpected 'kind' after name a.b; add a ',' between properties",
                error("MODEL (name a.b kind FULL); SELECT 1"));
        assertEquals("models/orders.sql:1:32: unexpected 'owner' after '@daily'; add a ',' between properties",
                error("MODEL (name a.b, cron '@daily' owner jen); SELECT 1"));
        assertEquals("models/orders.sql:1:17: unexpected ','; remove the extra comma",
                error("MODEL (name a.b,, kind FULL); SELECT 1"));
        assertEquals("models/orders.sql:1:18: property 'owner' has no value; write 'owner <value>'",
                error("MODEL (name a.b, owner, kind FULL); SELECT 1"));
        assertEquals("models/orders.sql:1:13: the model name must not be a string; write name a.b instead of "
                + "name 'a.b'", error("MODEL (name 'a.b'); SELECT 1"));
    }

    @Test
    void modelBlockMustComeFirst() {
        assertEquals("models/orders.sql:2:1: the MODEL block must be the first statement in the file; move it to "
                + "the top", error("SELECT 1;\nMODEL (name a.b);"));
    }

    @Test
    void unclosedBlocks() {
        assertEquals("models/orders.sql:2:1: JINJA_QUERY_BEGIN has no matching JINJA_END; add 'JINJA_END;' after "
                + "the Jinja block", error("MODEL (name a.b);\nJINJA_QUERY_BEGIN;\nSELECT 1;"));
        assertEquals("models/orders.sql:3:1: ON_VIRTUAL_UPDATE_BEGIN has no matching ON_VIRTUAL_UPDATE_END; add "
                + "'ON_VIRTUAL_UPDATE_END;' after its statements",
                error("MODEL (name a.b);\nSELECT 1;\nON_VIRTUAL_UPDATE_BEGIN;\nGRANT x;"));
    }

    @Test
    void binaryContentIsReported() {
        assertEquals("models/orders.sql:2:3: the file contains a NUL byte, so it is binary, not a model; remove it "
                + "from the models folder", error("MODEL (name a.b);\nSE\0LECT 1"));
        assertEquals("models/orders.sql:1:14: the file is not valid UTF-8 text; save it with UTF-8 encoding",
                error("MODEL (name a\uFFFD.b); SELECT 1"));
    }

    @Test
    void emptyFileIsAnError() {
        assertEquals("models/orders.sql:1:1: the file has no MODEL block and no query; add MODEL (name db.table, "
                + "kind FULL); followed by a SELECT", error("-- nothing here\n"));
    }

    @Test
    void eachDialectsEscapesDecideWhereTheQueryEnds() {
        // Snowflake's backslash escapes the quote, so the semicolon is inside the string
        ModelSource m = one("MODEL (name a.b, dialect snowflake);\nSELECT 'it\\'s; fine' AS a FROM raw.t");
        assertEquals("SELECT 'it\\'s; fine' AS a FROM raw.t", m.query());
        // in Postgres the backslash is an ordinary character: the string ends at C:\ and the query is whole
        ModelSource pg = one("MODEL (name a.b, dialect postgres);\nSELECT 'C:\\' AS p FROM raw.t");
        assertEquals("SELECT 'C:\\' AS p FROM raw.t", pg.query());
    }

    @Test
    void sqlglotRefusalsAreErrorsAtTheirLine() {
        // Athena reads the text with Hive's and Trino's rules combined first: the backtick never closes there
        assertTrue(error("MODEL (name a.b, dialect athena);\nSELECT `a\\` b` FROM t").contains("orders.sql:2:"));
        // Dune knows X'..' but not x'..'
        assertTrue(error("MODEL (name a.b, dialect dune);\nSELECT x'4F' AS h").contains("orders.sql:2:8"));
    }
}
