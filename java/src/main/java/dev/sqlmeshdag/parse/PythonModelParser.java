package dev.sqlmeshdag.parse;

import dev.sqlmeshdag.core.ModelSource;
import dev.sqlmeshdag.core.Problems;
import java.util.List;
import java.util.Map;

/** Reads {@code @model(...)} Python models as text, never executing them. */
public final class PythonModelParser {

    private PythonModelParser() {
    }

    /**
     * @param variables the project's variables (for {@code context.var(...)} in f-strings), lower-case keys
     * @return one ModelSource per model (or blueprint entry) in the file; empty when the file defines none
     */
    public static List<ModelSource> parse(String file, String text, Map<String, Object> variables, Problems problems) {
        throw new UnsupportedOperationException("TODO");
    }
}
