package dev.sqlmeshdag.parse;

import dev.sqlmeshdag.parse.PyToken.Kind;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The layout of a Python module as logical lines: decorated functions, their bodies, module-level functions
 * and {@code NAME = value} constants. Enough structure to find models without importing the module.
 */
final class PythonSource {

    /** One logical line; {@code indent} is the column of its first token. */
    record Line(List<PyToken> tokens, int indent) {
        PyToken first() {
            return tokens.get(0);
        }
    }

    /** A {@code def} with the decorators above it and the lines of its body. */
    record Function(String name, List<Line> decorators, Line def, List<Line> body) {
    }

    final List<Line> lines;
    final List<Function> functions = new ArrayList<>();
    final Map<String, List<PyToken>> constants = new LinkedHashMap<>();

    PythonSource(List<PyToken> tokens) {
        this.lines = logicalLines(tokens);
        readStructure();
    }

    private static List<Line> logicalLines(List<PyToken> tokens) {
        List<Line> out = new ArrayList<>();
        List<PyToken> current = new ArrayList<>();
        for (PyToken t : tokens) {
            if (t.kind() == Kind.NEWLINE) {
                if (!current.isEmpty()) {
                    out.add(new Line(List.copyOf(current), current.get(0).col()));
                    current.clear();
                }
            } else {
                current.add(t);
            }
        }
        return out;
    }

    private void readStructure() {
        List<Line> decorators = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            Line line = lines.get(i);
            if (line.first().isOp("@")) {
                decorators.add(line);
                continue;
            }
            int defAt = line.first().isName("async") ? 1 : 0;
            if (line.tokens().size() > defAt + 1 && line.tokens().get(defAt).isName("def")) {
                functions.add(new Function(line.tokens().get(defAt + 1).text(), List.copyOf(decorators), line,
                        body(i)));
            } else if (line.indent() == 1) {
                readConstant(line);
            }
            decorators.clear();
        }
    }

    /** The lines after line {@code i} that are indented deeper than it (a one-line body stays on the def line). */
    private List<Line> body(int i) {
        int indent = lines.get(i).indent();
        List<Line> out = new ArrayList<>();
        for (int j = i + 1; j < lines.size() && lines.get(j).indent() > indent; j++) {
            out.add(lines.get(j));
        }
        return out;
    }

    /** {@code NAME = expr} or {@code NAME: type = expr} at module level. */
    private void readConstant(Line line) {
        List<PyToken> t = line.tokens();
        if (t.size() < 3 || t.get(0).kind() != Kind.NAME) {
            return;
        }
        int eq = topLevel(t, "=");
        boolean simpleTarget = eq == 1 || (eq > 1 && t.get(1).isOp(":"));
        if (simpleTarget) {
            constants.put(t.get(0).text(), t.subList(eq + 1, t.size()));
        }
    }

    /** Index of the bracket closing the one at {@code open}, or the last index when it is never closed. */
    static int matching(List<PyToken> t, int open) {
        int depth = 0;
        for (int i = open; i < t.size(); i++) {
            if (t.get(i).opens()) {
                depth++;
            } else if (t.get(i).closes() && --depth == 0) {
                return i;
            }
        }
        return t.size() - 1;
    }

    /** Comma-separated items at bracket depth zero, without empty trailing items. */
    static List<List<PyToken>> splitArgs(List<PyToken> t) {
        List<List<PyToken>> out = new ArrayList<>();
        int start = 0;
        for (int comma : topLevelPositions(t, ",", false)) {
            out.add(t.subList(start, comma));
            start = comma + 1;
        }
        if (start < t.size()) {
            out.add(t.subList(start, t.size()));
        }
        return out;
    }

    /** Index of the first operator {@code op} at bracket depth zero, or -1. */
    static int topLevel(List<PyToken> t, String op) {
        List<Integer> found = topLevelPositions(t, op, true);
        return found.isEmpty() ? -1 : found.get(0);
    }

    /** Indexes of the operator {@code op} at bracket depth zero (only the first when {@code firstOnly}). */
    private static List<Integer> topLevelPositions(List<PyToken> t, String op, boolean firstOnly) {
        List<Integer> out = new ArrayList<>();
        int depth = 0;
        for (int i = 0; i < t.size(); i++) {
            PyToken tk = t.get(i);
            if (tk.opens()) {
                depth++;
            } else if (tk.closes()) {
                depth--;
            } else if (depth == 0 && tk.isOp(op)) {
                out.add(i);
                if (firstOnly) {
                    break;
                }
            }
        }
        return out;
    }
}
