package dev.sqlmeshdag.graph;

import dev.sqlmeshdag.core.Model;
import dev.sqlmeshdag.core.Problem;
import dev.sqlmeshdag.core.Problems;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.jgrapht.Graph;
import org.jgrapht.alg.connectivity.KosarajuStrongConnectivityInspector;
import org.jgrapht.alg.cycle.CycleDetector;
import org.jgrapht.graph.DefaultDirectedGraph;
import org.jgrapht.graph.DefaultEdge;
import org.jgrapht.traverse.TopologicalOrderIterator;

/**
 * The models and their dependencies, edges from upstream to downstream. Only models are vertices; what a model
 * reads that is no model stays in {@link #external(String)}.
 */
public final class ModelGraph {

    private final Map<String, Model> models;
    private final Graph<String, DefaultEdge> graph;
    private final List<String> order;

    private ModelGraph(Map<String, Model> models, Graph<String, DefaultEdge> graph, List<String> order) {
        this.models = models;
        this.graph = graph;
        this.order = order;
    }

    /**
     * Builds the graph; a cycle is recorded as one error per cycle naming every model in it and its file, and
     * the graph then has no order (an empty {@link #topologicalOrder()}).
     */
    public static ModelGraph build(List<Model> modelList, Problems problems) {
        Map<String, Model> byFqn = new TreeMap<>();
        modelList.forEach(m -> byFqn.put(m.fqn(), m));
        Graph<String, DefaultEdge> g = new DefaultDirectedGraph<>(DefaultEdge.class);
        byFqn.keySet().forEach(g::addVertex);
        for (Model m : byFqn.values()) {
            for (String dep : m.dependsOn()) {
                if (byFqn.containsKey(dep) && !dep.equals(m.fqn())) {
                    g.addEdge(dep, m.fqn());
                }
            }
        }
        if (new CycleDetector<>(g).detectCycles()) {
            reportCycles(g, byFqn, problems);
            return new ModelGraph(byFqn, g, List.of());
        }
        return new ModelGraph(byFqn, g, topological(g));
    }

    private static List<String> topological(Graph<String, DefaultEdge> g) {
        List<String> out = new ArrayList<>(g.vertexSet().size());
        // Ties broken by fqn so the spec is byte-identical from run to run.
        new TopologicalOrderIterator<>(g, String::compareTo).forEachRemaining(out::add);
        return out;
    }

    /**
     * One error per strongly connected group of models, showing one concrete loop through its smallest fqn (a
     * shortest one, so the message stays readable) and listing any other models caught in the same group.
     * Simple-cycle enumeration is avoided on purpose: it is exponential on tangled graphs.
     */
    private static void reportCycles(Graph<String, DefaultEdge> g, Map<String, Model> byFqn, Problems problems) {
        var sccs = new KosarajuStrongConnectivityInspector<>(g).stronglyConnectedSets();
        for (Set<String> scc : sccs) {
            if (scc.size() < 2) {
                continue;
            }
            List<String> loop = shortestLoop(g, new TreeSet<>(scc).first(), scc);
            String path = loop.stream().map(fqn -> describe(byFqn.get(fqn))).collect(Collectors.joining(" -> "));
            Model first = byFqn.get(loop.get(0));
            Set<String> others = new TreeSet<>(scc);
            loop.forEach(others::remove);
            String alsoIn = others.isEmpty() ? "" : "; also in this cycle: "
                    + others.stream().map(f -> describe(byFqn.get(f))).collect(Collectors.joining(", "));
            problems.add(Problem.error(first.location(), "dependency cycle: " + path + " -> " + first.name()
                    + alsoIn + "; remove one of these references (or its depends_on entry) to break it"));
        }
    }

    private static String describe(Model m) {
        return m.name() + " (" + m.location().file() + ")";
    }

    /** Breadth-first from start back to start, staying inside the group; successors visited in fqn order. */
    private static List<String> shortestLoop(Graph<String, DefaultEdge> g, String start, Set<String> group) {
        Map<String, String> cameFrom = new LinkedHashMap<>();
        java.util.ArrayDeque<String> queue = new java.util.ArrayDeque<>(List.of(start));
        while (!queue.isEmpty()) {
            String v = queue.poll();
            List<String> next = g.outgoingEdgesOf(v).stream().map(g::getEdgeTarget)
                    .filter(group::contains).sorted().toList();
            for (String w : next) {
                if (w.equals(start)) {
                    List<String> loop = new ArrayList<>();
                    for (String at = v; at != null; at = cameFrom.get(at)) {
                        loop.add(0, at);
                    }
                    return loop;
                }
                if (!cameFrom.containsKey(w)) {
                    cameFrom.put(w, v);
                    queue.add(w);
                }
            }
        }
        return List.of(start);
    }

    public boolean hasCycle() {
        return order.isEmpty() && !models.isEmpty();
    }

    /** Upstream before downstream, ties by fqn; empty when the graph has a cycle. */
    public List<String> topologicalOrder() {
        return order;
    }

    public Map<String, Model> models() {
        return Collections.unmodifiableMap(models);
    }

    public Model model(String fqn) {
        return models.get(fqn);
    }

    public boolean contains(String fqn) {
        return models.containsKey(fqn);
    }

    /** Direct upstream models, sorted. */
    public List<String> parents(String fqn) {
        return graph.incomingEdgesOf(fqn).stream().map(graph::getEdgeSource).sorted().toList();
    }

    /** Tables the model reads that are not models, sorted. */
    public List<String> external(String fqn) {
        return models.get(fqn).dependsOn().stream()
                .filter(d -> !models.containsKey(d) && !d.equals(fqn)).sorted().toList();
    }

    /** Every model this one depends on, directly or not. */
    public Set<String> upstream(String fqn) {
        return walk(fqn, true);
    }

    /** Every model depending on this one, directly or not. */
    public Set<String> downstream(String fqn) {
        return walk(fqn, false);
    }

    private Set<String> walk(String start, boolean up) {
        Set<String> seen = new TreeSet<>();
        List<String> stack = new ArrayList<>(List.of(start));
        while (!stack.isEmpty()) {
            String v = stack.remove(stack.size() - 1);
            var edges = up ? graph.incomingEdgesOf(v) : graph.outgoingEdgesOf(v);
            for (DefaultEdge e : edges) {
                String next = up ? graph.getEdgeSource(e) : graph.getEdgeTarget(e);
                if (seen.add(next)) {
                    stack.add(next);
                }
            }
        }
        return seen;
    }

    /** The graph restricted to {@code keep}, order preserved. */
    public List<String> orderOf(Set<String> keep) {
        return order.stream().filter(keep::contains).toList();
    }
}
