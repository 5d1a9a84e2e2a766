package dev.sqlmeshdag.graph;

import static dev.sqlmeshdag.graph.ModelGraphTest.fqn;
import static dev.sqlmeshdag.graph.ModelGraphTest.model;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlmeshdag.core.Problems;
import dev.sqlmeshdag.lineage.NameNormalizer;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * raw.events -> sushi.orders -> sushi.revenue -> reports.daily ; sushi.customers -> reports.daily ;
 * sushi.items (alone).
 */
class SelectorTest {

    static Selector selector;

    @BeforeAll
    static void graph() {
        ModelGraph g = ModelGraph.build(List.of(
                model("raw.events", List.of("Raw")),
                model("sushi.orders", List.of("finance", "core"), "raw.events"),
                model("sushi.revenue", List.of("finance"), "sushi.orders"),
                model("sushi.customers", List.of("crm")),
                model("reports.daily", List.of(), "sushi.revenue", "sushi.customers"),
                model("sushi.items")), new Problems());
        NameNormalizer names = new NameNormalizer("duckdb", "memory");
        selector = new Selector(g, names::fqn);
    }

    static Set<String> fqns(String... names) {
        return new TreeSet<>(Arrays.stream(names).map(ModelGraphTest::fqn).toList());
    }

    @Test
    void plainNamesAreNormalisedLikeModelNames() {
        assertEquals(fqns("sushi.orders"), selector.select("sushi.orders"));
        assertEquals(fqns("sushi.orders"), selector.select("SUSHI.Orders"));
        assertEquals(fqns("sushi.orders"), selector.select("memory.sushi.orders"));
        assertEquals(fqns("sushi.orders"), selector.select("\"memory\".\"sushi\".\"orders\""));
        assertEquals(Set.of(), selector.select("sushi.nope"));
    }

    @Test
    void wildcardsMatchModelNamesAsWritten() {
        assertEquals(fqns("sushi.orders", "sushi.revenue", "sushi.customers", "sushi.items"),
                selector.select("sushi.*"));
        assertEquals(fqns("sushi.orders", "sushi.customers"), selector.select("sushi.*rs"));
        assertEquals(6, selector.select("*").size());
    }

    @Test
    void tagsAreCaseInsensitiveAndTakeWildcards() {
        assertEquals(fqns("sushi.orders", "sushi.revenue"), selector.select("tag:finance"));
        assertEquals(fqns("sushi.orders", "sushi.revenue"), selector.select("TAG:FIN*"));
        assertEquals(fqns("raw.events"), selector.select("tag:raw"));
    }

    @Test
    void upstreamAndDownstreamAreTransitive() {
        assertEquals(fqns("raw.events", "sushi.orders", "sushi.revenue"), selector.select("+sushi.revenue"));
        assertEquals(fqns("sushi.orders", "sushi.revenue", "reports.daily"), selector.select("sushi.orders+"));
        assertEquals(fqns("raw.events", "sushi.orders", "sushi.revenue", "reports.daily"),
                selector.select("+sushi.orders+"));
        assertEquals(fqns("sushi.orders", "sushi.revenue", "reports.daily"), selector.select("tag:core+"));
    }

    @Test
    void setOperatorsAndParentheses() {
        assertEquals(fqns("sushi.orders", "sushi.revenue"), selector.select("tag:finance & sushi.orders+"));
        assertEquals(fqns("sushi.revenue"), selector.select("tag:finance & ^tag:core"));
        assertEquals(fqns("sushi.items", "sushi.customers"), selector.select("sushi.* & ^(tag:finance)"));
        assertEquals(fqns("raw.events", "reports.daily", "sushi.items"),
                selector.select("^sushi.orders & ^sushi.revenue & ^sushi.customers"));
        assertEquals(fqns("sushi.items", "sushi.revenue"), selector.select("sushi.items | tag:finance & sushi.revenue"));
        assertEquals(fqns("sushi.orders", "sushi.revenue", "reports.daily", "sushi.customers"),
                selector.select("(sushi.orders | sushi.customers)+"));
    }

    @Test
    void syntaxErrorsPointAtTheToken() {
        Selector.SyntaxException e = assertThrows(Selector.SyntaxException.class, () -> selector.select("(a | b"));
        assertTrue(e.getMessage().contains("missing ')'"), e.getMessage());
        e = assertThrows(Selector.SyntaxException.class, () -> selector.select("a &"));
        assertTrue(e.getMessage().contains("expected a model name"), e.getMessage());
        e = assertThrows(Selector.SyntaxException.class, () -> selector.select("a b"));
        assertTrue(e.getMessage().contains("unexpected 'b'"), e.getMessage());
    }
}
