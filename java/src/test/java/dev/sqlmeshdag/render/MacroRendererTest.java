package dev.sqlmeshdag.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlmeshdag.core.Location;
import dev.sqlmeshdag.core.ModelSource;
import dev.sqlmeshdag.core.Problem;
import dev.sqlmeshdag.core.Problems;
import dev.sqlmeshdag.core.Property;
import dev.sqlmeshdag.core.PropertyValue;
import dev.sqlmeshdag.lineage.NameNormalizer;
import dev.sqlmeshdag.lineage.TableExtractor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Expected values come from SQLMesh 0.236.4 (the pinned virtualenv): each query was loaded with the same variables, either
 * through {@code load_sql_based_model(...).render_query()} (/tmp/lineage-norm/check.py) or a real
 * {@code Context(paths=...)} project (/tmp/lineage-ctx, /tmp/lineage-bp), and its rendered SQL / depends_on read.
 */
class MacroRendererTest {

    private static final Location MODEL_AT = Location.of("models/m.sql", 1);
    private static final Location QUERY_AT = Location.of("models/m.sql", 3);

    private static Map<String, Object> variables() {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("x", "orders");
        v.put("n", 3);
        v.put("flag", true);
        v.put("lst", List.of("a", "b"));
        v.put("none_v", null);
        v.put("f", 1.5);
        v.put("s", "hello");
        return v;
    }

    private static final Map<String, PropertyValue> BLUEPRINT = Map.of(
            "customer", new PropertyValue.Scalar("acme", false),
            "q", new PropertyValue.Scalar("Quoted", true));

    private final Problems problems = new Problems();

    private static RenderContext context(String dialect, Set<String> userMacros) {
        return new RenderContext(dialect, variables(), BLUEPRINT, "\"memory\".\"s\".\"m\"", "local", userMacros);
    }

    private static ModelSource model(String kind, String query, String... preStatements) {
        Map<String, Property> props = new LinkedHashMap<>();
        if (kind != null) {
            props.put("kind", new Property("kind", new PropertyValue.Call(kind, Map.of(), List.of()), MODEL_AT));
        }
        return new ModelSource("models/m.sql", MODEL_AT, false, props, Arrays.asList(preStatements), query, QUERY_AT,
                List.of(), BLUEPRINT, List.of(), false);
    }

    private String render(String query, String... preStatements) {
        return new MacroRenderer(context("duckdb", Set.of())).renderQuery(model(null, query, preStatements), problems);
    }

    private String renderIncremental(String query) {
        return new MacroRenderer(context("duckdb", Set.of()))
                .renderQuery(model("INCREMENTAL_BY_TIME_RANGE", query), problems);
    }

    /** depends_on as SQLMesh lists it: rendered, extracted, normalised, self reference removed. */
    private List<String> dependsOn(String query, String... preStatements) {
        String rendered = render(query, preStatements);
        NameNormalizer names = new NameNormalizer("duckdb", "memory");
        TreeSet<String> deps = new TreeSet<>();
        for (String t : TableExtractor.tables(rendered, "duckdb", QUERY_AT, problems)) {
            deps.add(names.fqn(t));
        }
        deps.remove("\"memory\".\"s\".\"m\"");
        return new ArrayList<>(deps);
    }

    private void assertNoProblems() {
        assertTrue(problems.all().isEmpty(), () -> "unexpected problems: " + problems.all());
    }

    @Test
    void configVariablesRenderAsSqlLiterals() {
        // render_query() gave: 'orders', 'orders', 'orders', 3, TRUE, ['a', 'b'], NULL, 5, NULL, 1.5
        assertEquals("SELECT 'orders', 'orders', 'orders', 3, TRUE, ['a', 'b'], NULL, 5, NULL, 1.5",
                render("SELECT @VAR('x'), @x, @X, @VAR('n'), @VAR('flag'), @VAR('lst'), @VAR('missing'), "
                        + "@VAR('missing', 5), @VAR('none_v'), @VAR('f')"));
        assertNoProblems();
    }

    @Test
    void variableInTablePositionBecomesTheName() {
        // depends_on: "memory"."orders_db"."orders", "memory"."s"."orders", "memory"."s"."tbl_orders"
        assertEquals(List.of("\"memory\".\"orders_db\".\"orders\"", "\"memory\".\"s\".\"orders\"",
                        "\"memory\".\"s\".\"tbl_orders\""),
                dependsOn("SELECT * FROM s.tbl_@{x} JOIN @{x}_db.orders ON TRUE JOIN s.@x AS q ON TRUE"));
        assertNoProblems();
    }

    @Test
    void templateSplicesValuesAsText() {
        // /tmp/lineage-bp: @{n} -> 3, @{flag} -> TRUE, @{s} -> hello, and '@{customer}' inside a string untouched
        assertEquals("SELECT 3 AS tn, TRUE AS tf, hello AS ts, '@{customer}' AS str",
                render("SELECT @{n} AS tn, @{flag} AS tf, @{s} AS ts, '@{customer}' AS str"));
        assertNoProblems();
    }

    @Test
    void definitionsFromPreStatementsApply() {
        // SELECT * FROM "memory"."s"."src" AS "src" WHERE "a" = 2
        assertEquals("SELECT * FROM s.src WHERE a = 2",
                render("SELECT * FROM @tbl WHERE a = @N", "@DEF(tbl, s.src)", "@DEF(n, 2)"));
        // @DEF(lit, 'abc'): s.@lit reads s.abc, @{lit} splices abc
        assertEquals(List.of("\"memory\".\"s\".\"abc\""), dependsOn("SELECT @{lit} AS tl FROM s.@lit", "@DEF(lit, 'abc')"));
        assertNoProblems();
    }

    @Test
    void ifDecidesLoadTimeConditions() {
        // SELECT 'yes' AS "a", 1 AS "b", 0 AS "c", 'h' AS "d", 2 AS "e" FROM ... WHERE TRUE
        assertEquals("SELECT 'yes' AS a, 1 AS b, 0 AS c, 'h' AS d, 2 AS e FROM s.base WHERE TRUE",
                render("SELECT @IF(1 > 0, 'yes', 'no') AS a, @IF(@VAR('n') = 3 AND NOT @VAR('flag') = FALSE, 1, 2) "
                        + "AS b, @IF(@runtime_stage IN ('evaluating', 'creating'), 1, 0) AS c, @IF(@VAR('s') = "
                        + "'hello', 'h') AS d, @IF('x' <> 'x', 1, 2) AS e FROM s.base WHERE "
                        + "@IF(@VAR('missing') IS NULL, TRUE, FALSE)"));
        // depends_on of "... UNION ALL SELECT * FROM @IF(@runtime_stage = 'loading', s.t2, s.t3)": t1, t2
        assertEquals(List.of("\"memory\".\"s\".\"t1\"", "\"memory\".\"s\".\"t2\""), dependsOn(
                "SELECT * FROM s.t1 UNION ALL SELECT * FROM @IF(@runtime_stage = 'loading', s.t2, s.t3)"));
        assertNoProblems();
    }

    @Test
    void ifComparesWithTwoCharacterOperators() {
        // SELECT 1 AS "a", 0 AS "b", 1 AS "c", 1 AS "d" FROM "memory"."s"."base" AS "base"
        assertEquals("SELECT 1 AS a, 0 AS b, 1 AS c, 1 AS d FROM s.base",
                render("SELECT @IF(2 <= 2, 1, 0) AS a, @IF(3 >= 4, 1, 0) AS b, @IF('a' != 'b', 1, 0) AS c, "
                        + "@IF(1 < 2 AND 2 > 1, 1, 0) AS d FROM s.base"));
        assertNoProblems();
    }

    @Test
    void ifWithoutElseDisappearsWhenFalse() {
        assertEquals("SELECT 1 FROM s.t ", render("SELECT 1 FROM s.t @IF(@runtime_stage = 'evaluating', WHERE x)"));
        assertNoProblems();
    }

    @Test
    void undecidableIfWarnsAndKeepsTheTrueBranch() {
        String out = render("SELECT * FROM @IF(some_col > 1, s.a, s.b)");
        assertEquals("SELECT * FROM s.a", out);
        assertEquals(1, problems.warnings().size());
        assertEquals(3, problems.warnings().get(0).location().line());
    }

    @Test
    void eachMapsItemsThroughTheLambda() {
        // SELECT "a" + 1, "b" + 1, "a_col" AS "a_col", "b_col" AS "b_col"; @EACH(@cols, c -> c * 2 AS @{c}_x)
        assertEquals("SELECT a + 1, b + 1, a_col, b_col FROM s.t",
                render("SELECT @EACH([a, b], x -> x + 1), @EACH(['a', 'b'], x -> @{x}_col) FROM s.t"));
        assertEquals("SELECT a * 2 AS a_x, b * 2 AS b_x, 1 + 1, 2 + 1",
                render("SELECT @EACH(@cols, c -> c * 2 AS @{c}_x), @EACH([1, 2], n -> n + 1)", "@DEF(cols, [a, b])"));
        assertNoProblems();
    }

    @Test
    void sqlMacroParsesItsString() {
        // @SQL('s.t4') renders "s"."t4"; @SQL('@{s}_y') renders hello_y
        assertEquals("SELECT s.t4, hello_y", render("SELECT @SQL('s.t4'), @SQL('@{s}_y')"));
        assertNoProblems();
    }

    @Test
    void blueprintVariables() {
        // /tmp/lineage-bp: @customer -> "acme" (a name), @q -> 'Quoted', s.@q reads s.quoted, @{customer}_db
        assertEquals("SELECT acme AS c, 'Quoted' AS q, acme AS bc", render("SELECT @customer AS c, @q AS q, "
                + "@BLUEPRINT_VAR('customer') AS bc"));
        assertEquals(List.of("\"memory\".\"acme_db\".\"t1\"", "\"memory\".\"s\".\"quoted\""),
                dependsOn("SELECT 1 FROM @{customer}_db.t1 JOIN s.@q ON TRUE"));
        assertNoProblems();
    }

    @Test
    void thisModelAndGateway() {
        // @this_model renders the fqn and is a self reference (depends_on_self), @gateway -> 'local'
        assertEquals("SELECT 'local' AS g FROM \"memory\".\"s\".\"m\"", render("SELECT @gateway AS g FROM @this_model"));
        assertEquals(List.of("\"memory\".\"s\".\"t5\""),
                dependsOn("SELECT * FROM @this_model UNION ALL SELECT * FROM \"S\".\"T5\""));
        assertNoProblems();
    }

    @Test
    void timeVariablesUseTheEpochForIncrementalModels() {
        // INCREMENTAL_BY_TIME_RANGE model rendered at load time
        assertEquals("SELECT '1970-01-01', '1970-01-01', '1970-01-01 23:59:59.999999', 0, 86399999, 86399.999, "
                + "CAST('1970-01-01' AS DATE), '1970-01-01 00:00:00', 23, 'loading'",
                renderIncremental("SELECT @start_ds, @end_ds, @end_ts, @start_millis, @end_millis, @end_epoch, "
                        + "@start_date, @execution_ts, @end_hour, @runtime_stage"));
        assertNoProblems();
    }

    @Test
    void intervalVariablesAreAnErrorInViewAndFullModels() {
        // SQLMesh: "Macro variable 'start_ds' is undefined." for a FULL model; @execution_ds works
        render("SELECT @execution_ds AS e,\n  @start_ds AS d FROM s.a");
        List<Problem> errors = problems.errors();
        assertEquals(1, errors.size());
        assertEquals(new Location("models/m.sql", 4, 3), errors.get(0).location());
        assertTrue(errors.get(0).message().contains("@start_ds"));
        assertTrue(errors.get(0).message().contains("VIEW"));
    }

    @Test
    void undefinedVariableIsAnErrorNamingTheFix() {
        render("SELECT 1\nFROM s.t WHERE a = @missing_var");
        assertEquals(1, problems.errors().size());
        Problem p = problems.errors().get(0);
        assertEquals(new Location("models/m.sql", 4, 20), p.location());
        assertTrue(p.message().contains("missing_var") && p.message().contains("variables"));
    }

    @Test
    void unknownMacroWarnsButKeepsVisibleTables() {
        List<String> deps = dependsOn("SELECT * FROM s.a WHERE x = @my_udm(1)");
        assertEquals(List.of("\"memory\".\"s\".\"a\""), deps);
        assertEquals(1, problems.warnings().size());
        assertTrue(problems.warnings().get(0).message().contains("@my_udm"));
    }

    @Test
    void userMacroIsListedAsUnresolvedWhereverItStands() {
        MacroRenderer r = new MacroRenderer(context("duckdb", Set.of("mask", "pick")));
        // a column expression can still hide a table (a subquery), so only running the macro tells
        r.renderQuery(model(null, "SELECT @mask(email) AS e FROM s.users"), problems);
        assertEquals(1, problems.unresolved().size());
        String out = r.renderQuery(model(null, "SELECT * FROM @pick(raw.events, 'x')"), problems);
        assertEquals(2, problems.warnings().size());
        assertEquals(2, problems.unresolved().size());
        assertEquals(List.of("raw.events"), TableExtractor.tables(out, "duckdb", QUERY_AT, new Problems()));
    }

    @Test
    void snowflakeStageIsNotAVariable() {
        MacroRenderer r = new MacroRenderer(context("snowflake", Set.of()));
        assertEquals("SELECT $1 FROM @my_stage/path",
                r.renderQuery(model(null, "SELECT $1 FROM @my_stage/path"), problems));
        assertNoProblems();
    }

    @Test
    void jinjaBasicsRenderAndControlTagsWarn() {
        ModelSource jinja = new ModelSource("models/j.sql", MODEL_AT, false, Map.of(), List.of(),
                "SELECT '{{ start_ds }}' AS d FROM s.{{ var('x') }}\n{% if jinja_macro() %}JOIN s.other ON TRUE{% endif %}",
                QUERY_AT, List.of(), Map.of(), List.of(), true);
        String out = new MacroRenderer(context("duckdb", Set.of())).renderQuery(
                new ModelSource(jinja.file(), jinja.location(), false,
                        Map.of("kind", new Property("kind", new PropertyValue.Scalar("INCREMENTAL_BY_TIME_RANGE",
                                false), MODEL_AT)), List.of(), jinja.query(), QUERY_AT, List.of(), Map.of(),
                        List.of(), true), problems);
        assertEquals("SELECT '1970-01-01' AS d FROM s.orders\nJOIN s.other ON TRUE", out);
        assertEquals(1, problems.warnings().size());
        assertEquals(4, problems.warnings().get(0).location().line());
    }

    @Test
    void renderTextForBlueprintNames() {
        // model name @{customer}.a loads as "memory"."acme"."a"
        MacroRenderer r = new MacroRenderer(context("duckdb", Set.of()));
        assertEquals("acme.a", r.renderText("@{customer}.a", MODEL_AT, problems));
        assertEquals("acme_db.orders", r.renderText("@{customer}_db.orders", MODEL_AT, problems));
        assertEquals("s.Quoted", r.renderText("s.@q", MODEL_AT, problems));
        assertNoProblems();
    }

    @Test
    void defaultKindFromModelDefaultsEnablesIntervalVariables() {
        RenderContext ctx = new RenderContext("duckdb", variables(), Map.of(), "\"memory\".\"s\".\"m\"", "local",
                Set.of(), "INCREMENTAL_BY_UNIQUE_KEY");
        assertEquals("SELECT '1970-01-01'", new MacroRenderer(ctx).renderQuery(model(null, "SELECT @start_ds"),
                problems));
        assertNoProblems();
    }
}
