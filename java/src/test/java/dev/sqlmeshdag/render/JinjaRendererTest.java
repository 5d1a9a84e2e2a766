package dev.sqlmeshdag.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlmeshdag.core.Location;
import dev.sqlmeshdag.core.ModelSource;
import dev.sqlmeshdag.core.Problems;
import dev.sqlmeshdag.core.Property;
import dev.sqlmeshdag.core.PropertyValue;
import dev.sqlmeshdag.lineage.NameNormalizer;
import dev.sqlmeshdag.lineage.TableExtractor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Each query was loaded by SQLMesh 0.236.4 as a FULL model in a duckdb project with these variables (a
 * {@code JINJA_QUERY_BEGIN} block per model, {@code Context(paths=...).models[...].depends_on} read); the expected
 * tables are SQLMesh's.
 */
class JinjaRendererTest {

    private static final Location QUERY_AT = Location.of("models/j.sql", 3);

    private final Problems problems = new Problems();

    private static Map<String, Object> variables() {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("x", "orders");
        v.put("n", 3);
        v.put("flag", true);
        v.put("lst", List.of("a", "b"));
        v.put("s", "hello");
        return v;
    }

    private List<String> dependsOn(String jinjaQuery) {
        RenderContext context = new RenderContext("duckdb", variables(), Map.of(), "\"memory\".\"s\".\"j\"", "local",
                Set.of());
        ModelSource source = new ModelSource("models/j.sql", Location.of("models/j.sql", 1), false,
                Map.of("kind", new Property("kind", new PropertyValue.Scalar("FULL", false),
                        Location.of("models/j.sql", 1))), List.of(), jinjaQuery, QUERY_AT, List.of(), Map.of(),
                List.of(), true);
        String rendered = new MacroRenderer(context).renderQuery(source, problems);
        NameNormalizer names = new NameNormalizer("duckdb", "memory");
        TreeSet<String> deps = new TreeSet<>();
        for (String t : TableExtractor.tables(rendered, "duckdb", QUERY_AT, problems)) {
            deps.add(names.fqn(t));
        }
        return new ArrayList<>(deps);
    }

    @Test
    void forLoopOverAVariableWithLoopLast() {
        assertEquals(List.of("\"memory\".\"raw\".\"t_a\"", "\"memory\".\"raw\".\"t_b\""), dependsOn(
                "{% for r in var('lst') %}SELECT 1 AS id FROM raw.t_{{ r }}"
                        + "{% if not loop.last %} UNION ALL {% endif %}{% endfor %}"));
        assertTrue(problems.all().isEmpty(), problems.all().toString());
    }

    @Test
    void elseOfAnIfInsideALoopBelongsToTheIf() {
        assertEquals(List.of("\"memory\".\"raw\".\"t_a\"", "\"memory\".\"raw\".\"u_b\""), dependsOn(
                "{% for r in var('lst') %}{% if loop.first %}SELECT 1 AS id FROM raw.t_{{ r }}{% else %} UNION ALL "
                        + "SELECT 1 AS id FROM raw.u_{{ r }}{% endif %}{% endfor %}"));
        assertTrue(problems.all().isEmpty(), problems.all().toString());
    }

    @Test
    void ifElifElseTakesOnlyTheBranchSqlmeshTakes() {
        assertEquals(List.of("\"memory\".\"raw\".\"mid\"", "\"memory\".\"s\".\"orders\""), dependsOn(
                "SELECT 1 AS id FROM {{ 's.' ~ var('x') }} {% if var('n') > 5 %}JOIN raw.big ON TRUE"
                        + "{% elif var('flag') and 'a' in var('lst') %}JOIN raw.mid ON TRUE"
                        + "{% else %}JOIN raw.small ON TRUE{% endif %}"));
        assertTrue(problems.all().isEmpty(), problems.all().toString());
    }

    @Test
    void setFiltersWhitespaceControlAndUndefinedNames() {
        // A bare name SQLMesh does not define prints nothing and is not defined, as in Jinja.
        assertEquals(List.of("\"memory\".\"raw\".\"hello_\""), dependsOn(
                "{%- set t = var('s') | upper -%} SELECT 1 AS id FROM raw.{{ t }}_{{ loop_missing }} "
                        + "{% if undefined_thing is defined %}JOIN raw.never ON TRUE{% endif %}"));
        assertTrue(problems.all().isEmpty(), problems.all().toString());
    }

    @Test
    void varDefaultsJoinAndLength() {
        assertEquals(List.of("\"memory\".\"raw\".\"fallback_a_b_2\""), dependsOn(
                "SELECT 1 AS id FROM raw.{{ var('missing', 'fallback') }}_{{ var('lst') | join('_') }}_"
                        + "{{ var('lst') | length }}"));
        assertTrue(problems.all().isEmpty(), problems.all().toString());
    }

    @Test
    void blockSetCapturesWhatItsBodyPrints() {
        assertEquals(List.of("\"memory\".\"raw\".\"a\"", "\"memory\".\"raw\".\"b_orders\""), dependsOn(
                "{% set t %}orders{% endset %}SELECT 1 AS id FROM raw.a JOIN raw.b_{{ t }} ON TRUE"));
        assertTrue(problems.all().isEmpty(), problems.all().toString());
    }

    @Test
    void conditionNeedingAJinjaMacroKeepsEveryBranchAndSaysWhere() {
        assertEquals(List.of("\"memory\".\"raw\".\"a\"", "\"memory\".\"raw\".\"b\""), dependsOn(
                "SELECT 1 AS id FROM raw.a\n{% if my_macro() %}JOIN raw.b ON TRUE{% endif %}"));
        assertEquals(1, problems.warnings().size());
        assertEquals("models/j.sql:4:1", problems.warnings().get(0).location().toString());
        assertTrue(problems.warnings().get(0).message().contains("every branch is kept"));
    }

    @Test
    void tuplesIntFilterAndBooleansAsNumbersFollowJinja() {
        assertEquals(List.of("\"memory\".\"raw\".\"bool_is_number\"", "\"memory\".\"raw\".\"pair\"",
                "\"memory\".\"raw\".\"t_42\""), dependsOn(
                "SELECT 1 AS id FROM raw.t_{{ ' 42.9 ' | int }}"
                        + "{% if var('x') in ('orders', 'items') %} JOIN raw.pair ON TRUE{% endif %}"
                        + "{% if true is number %} JOIN raw.bool_is_number ON TRUE{% endif %}"));
        assertTrue(problems.all().isEmpty(), problems.all().toString());
    }

    @Test
    void tuplesPrintAndCompareAsInPython() {
        RenderContext context = new RenderContext("duckdb", variables(), Map.of(), "\"memory\".\"s\".\"j\"", "local",
                Set.of());
        assertEquals("SELECT ('a', 'b') AS t, (1,) AS u, () AS v, ('a', 'b') AS w, False AS x FROM raw.t",
                new JinjaRenderer(context, false).render("SELECT {{ ('a', 'b') }} AS t, {{ (1,) }} AS u, {{ () }} AS v,"
                        + " {{ ('a',) + ('b',) }} AS w, {{ (1, 2) == [1, 2] }} AS x FROM raw.t", QUERY_AT, problems));
        assertTrue(problems.all().isEmpty(), problems.all().toString());
    }

    @Test
    void rangeIsPythonsRange() {
        RenderContext context = new RenderContext("duckdb", variables(), Map.of(), "\"memory\".\"s\".\"j\"", "local",
                Set.of());
        assertEquals("range(0, 3)|range(1, 10, 3)|range(2, 5)|012|[0, 1, 2]|10,7,4,1|3|True|1|False",
                new JinjaRenderer(context, false).render("{{ range(3) }}|{{ range(1, 10, 3) }}|{{ range(2,5) }}|"
                        + "{% for i in range(3) %}{{ i }}{% endfor %}|{{ range(3) | list }}|"
                        + "{{ range(10, 0, -3) | join(',') }}|{{ range(3) | length }}|{{ 2 in range(3) }}|"
                        + "{{ range(3)[1] }}|{{ range(3) == [0, 1, 2] }}", QUERY_AT, problems));
        assertTrue(problems.all().isEmpty(), problems.all().toString());
        assertEquals(List.of("\"memory\".\"raw\".\"part_0\"", "\"memory\".\"raw\".\"part_1\""), dependsOn(
                "{% for i in range(var('n') - 1) %}{% if not loop.first %} UNION ALL {% endif %}"
                        + "SELECT 1 AS id FROM raw.part_{{ i }}{% endfor %}"));
    }
}
