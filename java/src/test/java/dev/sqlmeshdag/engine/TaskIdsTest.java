package dev.sqlmeshdag.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sqlmeshdag.core.Location;
import dev.sqlmeshdag.core.Model;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TaskIdsTest {

    static Model model(String fqn, String name) {
        return new Model(fqn, name, "FULL", "@daily", null, "day", null, List.of(), null, null, List.of(), List.of(),
                "duckdb", false, Location.of("models/x.sql", 1));
    }

    @Test
    void dotsBecomeDoubleUnderscoresAndDefaultCatalogIsDropped() {
        assertEquals("sushi__orders", TaskIds.base("sushi.orders", "duckdb", "memory"));
        assertEquals("sushi__orders", TaskIds.base("memory.sushi.orders", "duckdb", "memory"));
        assertEquals("other__sushi__orders", TaskIds.base("other.sushi.orders", "duckdb", "memory"));
    }

    @Test
    void unquotedPartsAreLowerCasedQuotedOnesKeepTheirCase() {
        assertEquals("sushi__orders", TaskIds.base("Sushi.ORDERS", "duckdb", "memory"));
        assertEquals("sushi__My_Orders", TaskIds.base("sushi.\"My Orders\"", "duckdb", "memory"));
        assertEquals("sales__revenue_eur_", TaskIds.base("sales.\"revenue (eur)\"", "duckdb", "memory"));
    }

    @Test
    void collisionsGetNumberedSuffixesInFqnOrder() {
        Map<String, String> ids = TaskIds.assign(List.of(
                model("\"memory\".\"a\".\"b_c\"", "a.\"b c\""),
                model("\"memory\".\"a\".\"b c\"", "a.\"b_c\""),
                model("\"memory\".\"x\".\"y\"", "x.y")), "memory");
        assertEquals("a__b_c", ids.get("\"memory\".\"a\".\"b c\""));
        assertEquals("a__b_c_2", ids.get("\"memory\".\"a\".\"b_c\""));
        assertEquals("x__y", ids.get("\"memory\".\"x\".\"y\""));
    }
}
