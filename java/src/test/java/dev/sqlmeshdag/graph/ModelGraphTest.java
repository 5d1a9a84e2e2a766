package dev.sqlmeshdag.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlmeshdag.core.Location;
import dev.sqlmeshdag.core.Model;
import dev.sqlmeshdag.core.Problem;
import dev.sqlmeshdag.core.Problems;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelGraphTest {

    static String fqn(String name) {
        String[] p = name.split("\\.");
        return "\"memory\".\"" + p[0] + "\".\"" + p[1] + "\"";
    }

    static Model model(String name, List<String> tags, String... deps) {
        return new Model(fqn(name), name, "FULL", "@daily", null, "day", null, tags, null, null,
                java.util.Arrays.stream(deps).map(d -> d.startsWith("\"") ? d : fqn(d)).sorted().toList(),
                List.of(), "duckdb", false, Location.of("models/" + name.replace('.', '/') + ".sql", 1));
    }

    static Model model(String name, String... deps) {
        return model(name, List.of(), deps);
    }

    @Test
    void topologicalOrderIsStableWithFqnTieBreak() {
        Problems problems = new Problems();
        ModelGraph g = ModelGraph.build(List.of(model("s.z"), model("s.b", "s.z"), model("s.a", "s.z"),
                model("s.c", "s.a", "s.b"), model("r.y")), problems);
        assertFalse(problems.hasErrors());
        assertEquals(List.of(fqn("r.y"), fqn("s.z"), fqn("s.a"), fqn("s.b"), fqn("s.c")), g.topologicalOrder());
    }

    @Test
    void nonModelTablesAreExternalNotVertices() {
        ModelGraph g = ModelGraph.build(List.of(model("s.a", "\"memory\".\"raw\".\"events\"", "s.b"),
                model("s.b")), new Problems());
        assertEquals(List.of("\"memory\".\"raw\".\"events\""), g.external(fqn("s.a")));
        assertEquals(List.of(fqn("s.b")), g.parents(fqn("s.a")));
        assertFalse(g.contains("\"memory\".\"raw\".\"events\""));
    }

    @Test
    void cycleNamesEveryModelAndItsFile() {
        Problems problems = new Problems();
        ModelGraph g = ModelGraph.build(List.of(model("s.a", "s.c"), model("s.b", "s.a"), model("s.c", "s.b"),
                model("s.d", "s.a")), problems);
        assertTrue(g.hasCycle());
        List<Problem> errors = problems.errors();
        assertEquals(1, errors.size());
        assertEquals("models/s/a.sql:1:1: dependency cycle: s.a (models/s/a.sql) -> s.b (models/s/b.sql) -> "
                + "s.c (models/s/c.sql) -> s.a; remove one of these references (or its depends_on entry) to "
                + "break it", errors.get(0).toString());
    }

    @Test
    void twoSeparateCyclesAreTwoErrors() {
        Problems problems = new Problems();
        ModelGraph.build(List.of(model("s.a", "s.b"), model("s.b", "s.a"), model("t.x", "t.y"),
                model("t.y", "t.x")), problems);
        assertEquals(2, problems.errors().size());
        assertTrue(problems.errors().get(1).message().contains("t.x (models/t/x.sql) -> t.y (models/t/y.sql)"));
    }
}
