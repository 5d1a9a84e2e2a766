package dev.sqlmeshdag.project;

import dev.sqlmeshdag.core.Location;
import dev.sqlmeshdag.core.Problems;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads YAML into located {@link Node}s. SnakeYAML only composes the node graph (so anchors and aliases work);
 * plain scalars are typed here as SQLMesh's YAML library (ruamel.yaml's safe loader) types them: YAML 1.2 core, so
 * {@code yes}, {@code on} and {@code 010} mean "yes", "on" and 10 rather than YAML 1.1 booleans and octals, plus
 * ruamel's additions ({@code _} in numbers, {@code 0b} integers), which a strict YAML 1.2 parser would leave as
 * text. Dates and timestamps stay text: the engine reads them as dates where a date is meant.
 */
final class YamlReader {

    private static final Pattern NULL = Pattern.compile("~|null|Null|NULL|");
    private static final Pattern TRUE = Pattern.compile("true|True|TRUE");
    private static final Pattern FALSE = Pattern.compile("false|False|FALSE");
    private static final Pattern INT = Pattern.compile("[-+]?[0-9][0-9_]*");
    /** {@code 0o17}, {@code -0x1F}, {@code 0b101}: signed, with {@code _} anywhere after the prefix. */
    private static final Pattern RADIX = Pattern.compile("([-+]?)0(?:(o)[0-7_]+|(x)[0-9a-fA-F_]+|(b)[01_]+)");
    private static final Pattern FLOAT =
            Pattern.compile("[-+]?(\\.[0-9]+|[0-9][0-9_]*(\\.[0-9_]*)?)([eE][-+]?[0-9]+)?");
    private static final Pattern INF = Pattern.compile("[-+]?\\.(inf|Inf|INF)");
    private static final Pattern NAN = Pattern.compile("\\.(nan|NaN|NAN)");

    private final String file;
    private final Problems problems;

    private YamlReader(String file, Problems problems) {
        this.file = file;
        this.problems = problems;
    }

    /** The document's root node; null when the text is empty, or unreadable (then an error is recorded). */
    static Node read(String text, String file, Problems problems) {
        return new YamlReader(file, problems).read(text);
    }

    private Node read(String text) {
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(1000);
        try {
            org.yaml.snakeyaml.nodes.Node root = new Yaml(options).compose(new StringReader(text));
            return root == null ? null : convert(root);
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            problems.error(at(mark), "invalid YAML: " + describe(e) + "; fix the syntax at this position");
            return null;
        } catch (YAMLException e) {
            problems.error(new Location(file, 1, 1), "invalid YAML: " + e.getMessage());
            return null;
        } catch (DuplicateKey e) {
            return null;
        }
    }

    private static String describe(MarkedYAMLException e) {
        String problem = e.getProblem() == null ? "" : e.getProblem();
        String context = e.getContext() == null ? "" : e.getContext();
        return (context.isEmpty() ? problem : context + ": " + problem).replaceAll("\\s+", " ").trim();
    }

    private Node convert(org.yaml.snakeyaml.nodes.Node node) {
        Location location = at(node.getStartMark());
        if (node instanceof ScalarNode scalar) {
            return new Node.Scalar(scalar.isPlain() ? typed(scalar.getValue()) : scalar.getValue(), location);
        }
        if (node instanceof SequenceNode sequence) {
            List<Node> items = new ArrayList<>();
            sequence.getValue().forEach(child -> items.add(convert(child)));
            return new Node.ListNode(items, location);
        }
        return convertMap((MappingNode) node, location);
    }

    private Node convertMap(MappingNode mapping, Location location) {
        Map<String, Node.Entry> entries = new LinkedHashMap<>();
        Map<String, Node.Entry> merged = new LinkedHashMap<>();
        for (NodeTuple tuple : mapping.getValue()) {
            org.yaml.snakeyaml.nodes.Node keyNode = tuple.getKeyNode();
            if (keyNode instanceof ScalarNode s && s.isPlain() && "<<".equals(s.getValue())) {
                mergeKey(tuple.getValueNode(), merged);
                continue;
            }
            Node key = convert(keyNode);
            String name = key instanceof Node.Scalar scalar ? String.valueOf(scalar.text()) : keyNode.toString();
            Location keyLocation = at(keyNode.getStartMark());
            if (entries.containsKey(name)) {
                problems.error(keyLocation, "duplicate key '" + name + "' (first defined on line "
                        + entries.get(name).keyLocation().line() + "); SQLMesh rejects duplicate keys, keep one");
                throw new DuplicateKey();
            }
            entries.put(name, new Node.Entry(name, keyLocation, convert(tuple.getValueNode())));
        }
        merged.putAll(entries);
        return new Node.MapNode(merged, location);
    }

    /** {@code <<: *anchor} (or a list of anchors): the referenced mappings supply keys not written here. */
    private void mergeKey(org.yaml.snakeyaml.nodes.Node value, Map<String, Node.Entry> into) {
        List<org.yaml.snakeyaml.nodes.Node> sources = value instanceof SequenceNode seq ? seq.getValue() : List.of(value);
        for (org.yaml.snakeyaml.nodes.Node source : sources) {
            if (convert(source) instanceof Node.MapNode map) {
                map.entries().forEach(into::putIfAbsent);
            } else {
                problems.error(at(source.getStartMark()), "the merge key '<<' needs a mapping (or a list of mappings)");
            }
        }
    }

    static Object typed(String text) {
        if (NULL.matcher(text).matches()) {
            return null;
        }
        if (TRUE.matcher(text).matches()) {
            return Boolean.TRUE;
        }
        if (FALSE.matcher(text).matches()) {
            return Boolean.FALSE;
        }
        try {
            if (INT.matcher(text).matches()) {
                return Long.parseLong(text.replace("_", "").replace("+", ""));
            }
            Matcher radix = RADIX.matcher(text);
            if (radix.matches()) {
                int prefixEnd = radix.start(1) + radix.group(1).length() + 2;
                int base = radix.group(2) != null ? 8 : radix.group(3) != null ? 16 : 2;
                long value = Long.parseLong(text.substring(prefixEnd).replace("_", ""), base);
                return radix.group(1).equals("-") ? -value : value;
            }
        } catch (NumberFormatException tooLong) {
            return text;
        }
        if (FLOAT.matcher(text).matches()) {
            return Double.parseDouble(text.replace("_", ""));
        }
        if (INF.matcher(text).matches()) {
            return text.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        if (NAN.matcher(text).matches()) {
            return Double.NaN;
        }
        return text;
    }

    private Location at(Mark mark) {
        return mark == null ? new Location(file, 1, 1) : new Location(file, mark.getLine() + 1, mark.getColumn() + 1);
    }

    /** Unwinds the conversion after a duplicate key: SQLMesh stops reading the file at the first one. */
    private static final class DuplicateKey extends RuntimeException {
        DuplicateKey() {
            super(null, null, false, false);
        }
    }
}
