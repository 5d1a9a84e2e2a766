package dev.sqlmeshdag.lineage;

import dev.sqlmeshdag.sql.Dialect;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Table names the engine must not emit as dependencies because part of them could not be settled while reading
 * the project. An invented edge is worse than a missing one: a missing edge comes with a warning the user can act
 * on (list the table in {@code depends_on}), an invented one silently schedules against a table that does not exist.
 */
public final class UnsettledNames {

    /**
     * Written into rendered SQL in place of a value the engine could not compute and has already warned about (a
     * Jinja expression, a Python macro inside a dotted name, an undefined variable inside a quoted name). A plain
     * word, so the SQL around it still lexes and parses, and no project names a table like it.
     */
    public static final String MARKER = "__sqlmesh_dag_unsettled__";

    /** A macro variable left in a name: {@code @name} or {@code @{name}}, as SQLMesh's template would match it. */
    private static final Pattern MACRO_VARIABLE = Pattern.compile("@(?:[A-Za-z_]\\w*|\\{[^}]*})");

    private UnsettledNames() {
    }

    /** True when {@code name} holds {@link #MARKER}: leave it out, its warning was given where the value was lost. */
    public static boolean marked(String name) {
        return name.contains(MARKER);
    }

    /**
     * Why a table name as written in rendered SQL (or {@code depends_on}) cannot be emitted, or empty when it can.
     * Two shapes are caught: a macro variable still in the name, and a bare {@code NULL} where the name belongs
     * (what a macro or variable that rendered to nothing leaves behind; SQLMesh lists it as a table named "null").
     */
    public static Optional<String> reason(String name, Dialect dialect) {
        List<NameNormalizer.Part> parts = NameNormalizer.parts(name, dialect);
        for (NameNormalizer.Part part : parts) {
            Matcher m = MACRO_VARIABLE.matcher(part.text());
            if (m.find()) {
                return Optional.of("the table " + name.strip() + " still holds " + m.group() + " after rendering: "
                        + "a macro variable nothing defines (SQLMesh keeps it as written inside a quoted name) or an "
                        + "@@-escaped @. The engine cannot tell a real table from a half-rendered name, so it is left "
                        + "out of lineage. Define the variable, or list the table in the model's depends_on property");
            }
        }
        NameNormalizer.Part last = parts.get(parts.size() - 1);
        if (!last.quoted() && last.text().toUpperCase(Locale.ROOT).equals("NULL")) {
            return Optional.of("the query reads NULL where a table name belongs (" + name.strip() + "): a macro or "
                    + "variable rendered to NULL, e.g. @VAR of an undefined variable. SQLMesh would list a table "
                    + "named \"null\", which cannot exist, so it is left out of lineage; list the table the query "
                    + "should read in the model's depends_on property");
        }
        return Optional.empty();
    }
}
