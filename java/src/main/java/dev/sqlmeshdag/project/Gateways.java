package dev.sqlmeshdag.project;

import dev.sqlmeshdag.core.Location;
import dev.sqlmeshdag.core.Problems;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The config's gateways with SQLMesh's naming rules: names are lower-cased (so {@code --gateway Prod} finds
 * {@code prod}), a {@code gateways} mapping whose keys are all gateway settings is one unnamed gateway
 * ({@code ""}), and with no gateways at all there is one unnamed, empty gateway.
 */
final class Gateways {

    private final Map<String, Node.MapNode> byName = new LinkedHashMap<>();
    private Node defaultGatewayNode;
    private final Problems problems;

    private Gateways(Problems problems) {
        this.problems = problems;
    }

    static Gateways read(Node.MapNode config, Problems problems) {
        Gateways gateways = new Gateways(problems);
        Node node = config.get("gateways") != null ? config.get("gateways") : config.get("gateway");
        gateways.defaultGatewayNode = config.get("default_gateway");
        if (node == null) {
            gateways.byName.put("", new Node.MapNode(Map.of(), config.location()));
        } else if (node instanceof Node.MapNode map) {
            gateways.add(map);
        } else if (!(node instanceof Node.Opaque)) {
            problems.error(node.location(), "`gateways` must be a mapping of gateway names to their settings,"
                    + " found " + ConfigSchema.describe(node));
        } else {
            problems.unresolvedConfig(node.location(), "cannot read gateways statically (" + ((Node.Opaque) node).what()
                    + "); write them as a literal dict of GatewayConfig(...) in config.py (or pass --dialect)");
        }
        if (config.get("default_connection") != null) {
            ConfigSchema.connectionType(config.get("default_connection"), "default_connection", problems);
        }
        return gateways;
    }

    private void add(Node.MapNode map) {
        boolean single = map.entries().keySet().stream().allMatch(ConfigSchema.GATEWAY_KEYS::contains);
        if (single) {
            byName.put("", map);
            checkConnections("", map);
            return;
        }
        for (Node.Entry entry : map.entries().values()) {
            String name = entry.key().toLowerCase();
            if (entry.value() instanceof Node.MapNode gateway) {
                ConfigSchema.checkGateway(name, gateway, problems);
                byName.put(name, gateway);
                checkConnections(name, gateway);
            } else if (entry.value() instanceof Node.Scalar s && s.value() == null) {
                byName.put(name, new Node.MapNode(Map.of(), entry.keyLocation()));
            } else {
                problems.error(entry.value().location(), "gateway '" + entry.key() + "' must be a mapping with a"
                        + " `connection`, found " + ConfigSchema.describe(entry.value()));
            }
        }
    }

    /** SQLMesh validates every gateway's connections when it reads the config, not only the chosen one. */
    private void checkConnections(String name, Node.MapNode gateway) {
        for (String key : List.of("connection", "state_connection", "test_connection")) {
            Node connection = gateway.get(key);
            if (connection != null && !(connection instanceof Node.Scalar s && s.value() == null)) {
                ConfigSchema.connectionType(connection, where(name, key), problems);
            }
        }
    }

    static String where(String gateway, String key) {
        return (key.equals("connection") ? "the connection" : "the " + key) + " of gateway '" + gateway + "'";
    }

    List<String> names() {
        return List.copyOf(byName.keySet());
    }

    Node.MapNode get(String name) {
        return byName.getOrDefault(name, new Node.MapNode(Map.of(), null));
    }

    /** The explicit gateway, else {@code default_gateway}, else the unnamed one, else the first. */
    String select(String requested, String defaultGateway, Location configStart) {
        if (requested != null) {
            String name = requested.toLowerCase();
            if (!byName.containsKey(name)) {
                problems.error(configStart, "unknown gateway '" + requested + "'; " + listing());
            }
            return name;
        }
        if (defaultGateway != null && !defaultGateway.isEmpty()) {
            String name = defaultGateway.toLowerCase();
            if (!byName.containsKey(name)) {
                Location at = defaultGatewayNode != null ? defaultGatewayNode.location() : configStart;
                problems.error(at, "default_gateway '" + defaultGateway + "' is not a gateway of this project; "
                        + listing());
            }
            return name;
        }
        if (byName.containsKey("") || byName.isEmpty()) {
            return "";
        }
        return byName.keySet().iterator().next();
    }

    private String listing() {
        List<String> named = new ArrayList<>(byName.keySet());
        named.remove("");
        return named.isEmpty() ? "the config defines no named gateways (add them under `gateways:`)"
                : "the config defines: " + String.join(", ", named);
    }

    /** The gateway's connection, else the root {@code default_connection}; null (with an error) when neither. */
    ProjectLoader.Connection connection(String name, Node defaultConnection, Location configStart,
            Problems report) {
        Node node = get(name).get("connection");
        String where = where(name, "connection");
        if (node == null || (node instanceof Node.Scalar s && s.value() == null)) {
            node = defaultConnection;
            where = "default_connection";
        }
        if (node == null) {
            report.error(get(name).location() != null ? get(name).location() : configStart,
                    "no connection configured" + (name.isEmpty() ? "" : " for gateway '" + name + "'")
                            + "; add `connection:` with a `type` (e.g. duckdb) to the gateway, or a root"
                            + " `default_connection`");
            return null;
        }
        if (node instanceof Node.Opaque opaque) {
            // Without the connection the default catalog, and so every model's name, is unknown.
            report.unresolvedConfig(opaque.location(), "cannot read " + where + " statically (" + opaque.what()
                    + "); write it as a literal *ConnectionConfig(...) in config.py");
            return null;
        }
        String type = ConfigSchema.connectionType(node, where, new Problems());
        return type == null ? null : new ProjectLoader.Connection(type, (Node.MapNode) node, where);
    }

    String stateConnectionType(String name) {
        Node node = get(name).get("state_connection");
        if (node == null || (node instanceof Node.Scalar s && s.value() == null)) {
            return null;
        }
        return ConfigSchema.connectionType(node, "", new Problems());
    }

    /** Whether another gateway's warehouse has catalogs (then ClickHouse gets a virtual one). */
    boolean anyOtherHasCatalog(String selected, Node defaultConnection) {
        for (String name : byName.keySet()) {
            if (name.equals(selected)) {
                continue;
            }
            ProjectLoader.Connection other = connection(name, defaultConnection, null, new Problems());
            if (other != null && Catalogs.of(other.type(), other.node(), other.where(), new Problems()) != null) {
                return true;
            }
        }
        return false;
    }
}
