package dev.sqlmeshdag.engine;

import dev.sqlmeshdag.core.Model;
import dev.sqlmeshdag.lineage.NameNormalizer;
import dev.sqlmeshdag.sql.Dialect;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Airflow task ids that read like the model names: {@code sushi.orders} becomes {@code sushi__orders}. The default
 * catalog is dropped, each name part keeps only {@code [A-Za-z0-9_-]} (other runs become {@code _}), parts are
 * joined with {@code __}, and unquoted parts are lower-cased. Collisions get {@code _2}, {@code _3} in fqn order.
 */
public final class TaskIds {

    private static final Pattern UNSAFE = Pattern.compile("[^A-Za-z0-9_-]+");

    private TaskIds() {
    }

    /** fqn -> task id for every model given. */
    public static Map<String, String> assign(Collection<Model> models, String defaultCatalog) {
        List<Model> byFqn = new ArrayList<>(models);
        byFqn.sort(Comparator.comparing(Model::fqn));
        Map<String, String> out = new TreeMap<>();
        Set<String> taken = new HashSet<>();
        for (Model m : byFqn) {
            String base = base(m.name(), m.dialect(), defaultCatalog);
            String id = base;
            for (int n = 2; taken.contains(id.toLowerCase(Locale.ROOT)); n++) {
                id = base + "_" + n;
            }
            taken.add(id.toLowerCase(Locale.ROOT));
            out.put(m.fqn(), id);
        }
        return out;
    }

    static String base(String name, String dialect, String defaultCatalog) {
        List<NameNormalizer.Part> parts = new ArrayList<>(
                NameNormalizer.parts(name, Dialect.of(dialect).orElse(Dialect.GENERIC)));
        if (parts.size() == 3 && defaultCatalog != null && parts.get(0).text().equalsIgnoreCase(defaultCatalog)) {
            parts.remove(0);
        }
        List<String> cleaned = new ArrayList<>();
        for (NameNormalizer.Part p : parts) {
            String text = p.quoted() ? p.text() : p.text().toLowerCase(Locale.ROOT);
            String safe = UNSAFE.matcher(text).replaceAll("_");
            cleaned.add(safe.isEmpty() ? "_" : safe);
        }
        return String.join("__", cleaned);
    }
}
