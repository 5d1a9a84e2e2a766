package dev.sqlmeshdag.spec;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.sqlmeshdag.core.Model;
import dev.sqlmeshdag.graph.ModelGraph;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The model graph as JSON (comparable with SQLMesh's own {@code Context.models}), Graphviz DOT or Mermaid. */
public final class GraphFormats {

    public enum Format { JSON, DOT, MERMAID }

    private GraphFormats() {
    }

    public static String render(ModelGraph graph, List<String> fqns, Format format) {
        return switch (format) {
            case JSON -> json(graph, fqns);
            case DOT -> dot(graph, fqns);
            case MERMAID -> mermaid(graph, fqns);
        };
    }

    /**
     * {@code {"models": {fqn: {cron, depends_on, interval_unit, kind, tags}}}}, written as Python's
     * {@code json.dumps(graph, indent=2, sort_keys=True)} does, so it diffs cleanly against SQLMesh's own graph.
     */
    static String json(ModelGraph graph, List<String> fqns) {
        Map<String, GraphEntry> models = new TreeMap<>();
        for (String fqn : fqns) {
            Model m = graph.model(fqn);
            models.put(fqn, new GraphEntry(m.cron(), m.dependsOn().stream().sorted().toList(), m.intervalUnit(),
                    m.kind(), m.tags()));
        }
        return PythonJson.write(Map.of("models", models)) + "\n";
    }

    /** One model of the JSON graph: the fields SQLMesh's own graph script prints, in its (sorted) key order. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonPropertyOrder(alphabetic = true)
    record GraphEntry(String cron, List<String> dependsOn, String intervalUnit, String kind, List<String> tags) {
    }

    /** Models as boxes, tables that are no model as grey ellipses; edges point downstream. */
    static String dot(ModelGraph graph, List<String> fqns) {
        StringBuilder out = new StringBuilder("digraph sqlmesh {\n  rankdir=LR;\n  node [shape=box];\n");
        java.util.Set<String> external = new java.util.TreeSet<>();
        for (String fqn : fqns) {
            Model m = graph.model(fqn);
            out.append("  ").append(dotId(fqn)).append(" [label=").append(dotId(m.name() + "\n" + m.kind()
                    + " " + m.cron())).append("];\n");
        }
        for (String fqn : fqns) {
            for (String dep : graph.model(fqn).dependsOn()) {
                if (!graph.contains(dep)) {
                    external.add(dep);
                } else if (!fqns.contains(dep)) {
                    continue;
                }
                out.append("  ").append(dotId(dep)).append(" -> ").append(dotId(fqn)).append(";\n");
            }
        }
        for (String table : external) {
            out.append("  ").append(dotId(table)).append(" [label=").append(dotId(display(table)))
                    .append(", shape=ellipse, style=dashed, color=gray];\n");
        }
        return out.append("}\n").toString();
    }

    private static String dotId(String text) {
        return '"' + text.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + '"';
    }

    /** A Mermaid flowchart; node ids are positional because fqns hold quotes Mermaid cannot take. */
    static String mermaid(ModelGraph graph, List<String> fqns) {
        StringBuilder out = new StringBuilder("flowchart LR\n");
        Map<String, String> ids = new TreeMap<>();
        for (String fqn : fqns) {
            ids.put(fqn, "m" + ids.size());
            Model m = graph.model(fqn);
            out.append("  ").append(ids.get(fqn)).append("[\"").append(mermaidText(m.name())).append("<br/>")
                    .append(mermaidText(m.kind() + " " + m.cron())).append("\"]\n");
        }
        for (String fqn : fqns) {
            for (String dep : graph.model(fqn).dependsOn()) {
                if (!ids.containsKey(dep)) {
                    if (graph.contains(dep)) {
                        continue;
                    }
                    ids.put(dep, "x" + ids.size());
                    out.append("  ").append(ids.get(dep)).append("([\"").append(mermaidText(display(dep)))
                            .append("\"]):::external\n");
                }
                out.append("  ").append(ids.get(dep)).append(" --> ").append(ids.get(fqn)).append("\n");
            }
        }
        out.append("  classDef external stroke-dasharray: 4 4,color:#666\n");
        return out.toString();
    }

    /** {@code "db"."sch"."tbl"} as {@code db.sch.tbl} for labels; the quotes only matter to SQLMesh. */
    static String display(String fqn) {
        return fqn.replace("\"", "");
    }

    /** Mermaid labels in double quotes take HTML entities for quotes. */
    private static String mermaidText(String text) {
        return text.replace("&", "&amp;").replace("\"", "#quot;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
