package dev.sqlmeshdag.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlmeshdag.core.Location;
import dev.sqlmeshdag.core.ModelSource;
import dev.sqlmeshdag.core.Problem;
import dev.sqlmeshdag.core.Problems;
import dev.sqlmeshdag.core.PropertyValue;
import dev.sqlmeshdag.core.PropertyValue.Call;
import dev.sqlmeshdag.core.PropertyValue.ListValue;
import dev.sqlmeshdag.core.PropertyValue.Raw;
import dev.sqlmeshdag.core.PropertyValue.Scalar;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PythonModelParserTest {

    private static final String FILE = "models/py_model.py";

    private static List<ModelSource> parse(String text, Map<String, Object> variables, Problems problems) {
        return PythonModelParser.parse(FILE, text, variables, problems);
    }

    private static ModelSource one(String text) {
        Problems problems = new Problems();
        List<ModelSource> models = parse(text, Map.of(), problems);
        assertEquals(List.of(), problems.all(), "unexpected problems");
        assertEquals(1, models.size());
        return models.get(0);
    }

    private static String error(String text) {
        Problems problems = new Problems();
        assertEquals(List.of(), parse(text, Map.of(), problems));
        assertEquals(1, problems.all().size(), () -> "expected one problem, got " + problems.all());
        Problem p = problems.all().get(0);
        assertTrue(p.isError());
        return p.toString();
    }

    private static PropertyValue value(ModelSource m, String key) {
        return m.value(key).orElseThrow(() -> new AssertionError("no property " + key));
    }

    /** The same file real SQLMesh 0.236.4 loads with depends_on orders, customers, items and helper_t. */
    private static final String THREE_MODELS = """
            import typing as t
            from sqlmesh import ExecutionContext, model
            from sqlmesh.core.model.kind import ModelKindName

            UPSTREAM = "raw.orders"
            SCHEMA = "raw"

            def helper(context):
                return context.resolve_table("raw.helper_t")

            @model(
                "sch.m1",
                kind=dict(name=ModelKindName.INCREMENTAL_BY_TIME_RANGE, time_column="ds"),
                columns={"id": "int", "ds": "text"},
                cron="@hourly",
            )
            def execute(context: ExecutionContext, **kwargs: t.Any):
                a = context.table(UPSTREAM)
                b = context.resolve_table(f"{context.var('src_schema')}.customers")
                c = context.table(f"{SCHEMA}.items")
                d = context.table("sch.m1")
                helper(context)
                return None

            @model(
                "sch.@{c}_m",
                columns={"id": "int"},
                blueprints=[{"c": "a"}, {"c": "b"}],
            )
            def execute2(context, **kwargs):
                x = context.table(f"raw.{context.blueprint_var('c')}_src")
                return None

            @model("sch.sqlm", is_sql=True, kind="FULL")
            def sqlm(evaluator):
                return "SELECT * FROM raw.x"
            """;

    @Test
    void readsModelsLikeSqlmeshDoes() {
        Problems problems = new Problems();
        List<ModelSource> models = parse(THREE_MODELS, Map.of("src_schema", "raw"), problems);
        assertEquals(List.of(), problems.all());
        assertEquals(4, models.size());

        ModelSource m1 = models.get(0);
        assertTrue(m1.python());
        assertEquals(new Location(FILE, 11, 1), m1.location());
        assertEquals(new Scalar("sch.m1", false), value(m1, "name"));
        assertEquals(new Call("INCREMENTAL_BY_TIME_RANGE", Map.of("time_column", new Scalar("ds", true)), List.of()),
                value(m1, "kind"));
        assertEquals(new Scalar("@hourly", true), value(m1, "cron"));
        assertEquals(new Location(FILE, 15, 5), m1.property("cron").orElseThrow().location());
        assertEquals(List.of("raw.orders", "raw.customers", "raw.items", "raw.helper_t"), m1.dependencies());
        assertNull(m1.query());

        assertEquals(List.of(List.of("raw.a_src"), List.of("raw.b_src")),
                models.subList(1, 3).stream().map(ModelSource::dependencies).toList());
        assertEquals(new Scalar("a", true), models.get(1).blueprintVariables().get("c"));
        assertEquals(new Scalar("sch.@{c}_m", false), value(models.get(2), "name"));

        ModelSource sql = models.get(3);
        assertEquals("SELECT * FROM raw.x", sql.query());
        assertEquals(new Location(FILE, 36, 12), sql.queryLocation());
        assertEquals(new Scalar("FULL", false), value(sql, "kind"));
    }

    @Test
    void dependsOnReplacesTheBodyScan() {
        ModelSource m = one("""
                from sqlmesh import model

                @model("a.b", columns={"x": "int"}, depends_on=["raw.one", "raw.two"])
                def run(context, **kw):
                    return context.fetchdf(f"SELECT * FROM {context.resolve_table(pick())}")
                """);
        assertEquals(List.of("raw.one", "raw.two"), m.dependencies());
        assertEquals(new ListValue(List.of(new Scalar("raw.one", true), new Scalar("raw.two", true)), false),
                value(m, "depends_on"));
    }

    @Test
    void unresolvableTableCallIsAWarningAtItsLine() {
        Problems problems = new Problems();
        List<ModelSource> models = parse("""
                from sqlmesh import model

                @model("a.b", columns={"x": "int"})
                def run(context, **kw):
                    name = pick()
                    df = context.table(name)
                    return context.table("raw.known")
                """, Map.of(), problems);
        assertEquals(List.of("raw.known"), models.get(0).dependencies());
        assertEquals(List.of("models/py_model.py:6:10: warning: cannot tell which table context.table(name) reads "
                + "without running the model (SQLMesh needs it resolvable at load time too); add "
                + "depends_on=[\"schema.table\"] to @model(...)"),
                problems.all().stream().map(Problem::toString).toList());
    }

    @Test
    void variablesWithDefaultsAndKeywordArgument() {
        Problems problems = new Problems();
        List<ModelSource> models = parse("""
                from sqlmesh import model

                @model("a.b", columns={"x": "int"})
                def run(context, **kw):
                    a = context.table(model_name=f"{context.var('Missing', 'fallback')}.t")
                    b = context.resolve_table("db." + context.var("SCHEMA") + '.t2')
                    return None
                """, Map.of("schema", "prod"), problems);
        assertEquals(List.of(), problems.all());
        assertEquals(List.of("fallback.t", "db.prod.t2"), models.get(0).dependencies());
    }

    @Test
    void fStringFieldsMayReuseTheOuterQuote() {
        Problems problems = new Problems();
        List<ModelSource> models = parse("""
                from sqlmesh import model

                @model("a.b", columns={"x": "int"})
                def run(context):
                    return context.table(f"{context.var("schema")}.{{literal}}_t")
                """, Map.of("schema", "prod"), problems);
        assertEquals(List.of(), problems.all());
        assertEquals(List.of("prod.{literal}_t"), models.get(0).dependencies());
    }

    @Test
    void kindForms() {
        assertEquals(new Scalar("FULL", false), value(one(model("kind=ModelKindName.FULL")), "kind"));
        assertEquals(new Scalar("VIEW", false), value(one(model("kind='view'")), "kind"));
        assertEquals(new Call("INCREMENTAL_BY_UNIQUE_KEY", Map.of("unique_key", new ListValue(
                List.of(new Scalar("id", true)), false)), List.of()),
                value(one(model("kind={'name': ModelKindName.INCREMENTAL_BY_UNIQUE_KEY, 'unique_key': ['id']}")),
                        "kind"));
        Call byClass = assertInstanceOf(Call.class,
                value(one(model("kind=IncrementalByTimeRangeKind(time_column='ds', batch_size=7)")), "kind"));
        assertEquals("INCREMENTAL_BY_TIME_RANGE", byClass.name());
        assertEquals(new Scalar("7", false), byClass.args().get("batch_size"));
        Call withEnum = assertInstanceOf(Call.class, value(one(model(
                "kind=dict(name=ModelKindName.INCREMENTAL_BY_TIME_RANGE, time_column='ds', "
                        + "on_destructive_change=OnDestructiveChange.WARN)")), "kind"));
        assertEquals(new Scalar("WARN", false), withEnum.args().get("on_destructive_change"));
    }

    @Test
    void unknownKindIsAnError() {
        String expected = "models/py_model.py:3:37: unknown model kind 'INCREMENTAL'; use one of "
                + "INCREMENTAL_BY_TIME_RANGE, ";
        String actual = error(model("kind='INCREMENTAL'"));
        assertEquals(expected, actual.substring(0, Math.min(actual.length(), expected.length())));
    }

    @Test
    void keywordsMapToProperties() {
        ModelSource m = one("""
                from sqlmesh import model

                OWNER = "jen"

                @model(
                    name="a.b",
                    columns={"Id": "int", "amount": "decimal(10, 2)"},
                    tags=["finance", "pii"],
                    owner=OWNER,
                    description=\"\"\"Multi
                    line\"\"\",
                    start="2024-01-01",
                    interval_unit="hour",
                    cron_tz="Europe/Paris",
                    enabled=False,
                    grain=("id", "ds"),
                    audits=["not_null_id", ("accepted_range", {"column": "x", "min_v": 0})],
                )
                def run(context, **kw):  # comment with context.table("ignored")
                    return None
                """);
        assertEquals(new Scalar("a.b", false), value(m, "name"));
        assertEquals(new ListValue(List.of(new Raw("Id int"), new Raw("amount decimal(10, 2)")), true),
                value(m, "columns"));
        assertEquals(new ListValue(List.of(new Scalar("finance", true), new Scalar("pii", true)), false),
                value(m, "tags"));
        assertEquals(new Scalar("jen", true), value(m, "owner"));
        assertEquals(new Scalar("Multi\n    line", true), value(m, "description"));
        assertEquals(new Scalar("false", false), value(m, "enabled"));
        assertEquals(new ListValue(List.of(new Scalar("id", true), new Scalar("ds", true)), true), value(m, "grain"));
        ListValue audits = assertInstanceOf(ListValue.class, value(m, "audits"));
        assertEquals(new Scalar("not_null_id", false), audits.items().get(0));
        assertEquals(new Call("accepted_range", Map.of("column", new Scalar("x", true), "min_v",
                new Scalar("0", false)), List.of()), audits.items().get(1));
        assertEquals(List.of(), m.dependencies());
    }

    @Test
    void stringsAndCommentsDoNotConfuseTheReader() {
        ModelSource m = one("""
                from sqlmesh import model
                # @model("commented.out", columns={})
                DOC = '''
                @model("inside.a.string", columns={})
                '''

                @other_decorator
                @model("a.b", columns={"x": "int"}, description="it's a \\"model\\" (with parens")
                @another(arg=")")
                def run(context, **kw):
                    sql = "context.table('not.a.call')"
                    return context.table(r'raw\\path')
                """);
        assertEquals(new Scalar("it's a \"model\" (with parens", true), value(m, "description"));
        assertEquals(List.of("raw\\path"), m.dependencies());
    }

    @Test
    void helperFilesHaveNoModels() {
        Problems problems = new Problems();
        assertEquals(List.of(), parse("import os\n\ndef helper(context):\n    return context.table('x')\n",
                Map.of(), problems));
        assertEquals(List.of(), problems.all());
    }

    @Test
    void isSqlWithoutAPlainLiteralWarns() {
        Problems problems = new Problems();
        List<ModelSource> models = parse("""
                from sqlmesh import model

                @model("a.b", is_sql=True)
                def run(evaluator):
                    return f"SELECT * FROM {evaluator.var('t')}"
                """, Map.of(), problems);
        assertNull(models.get(0).query());
        assertEquals(1, problems.warnings().size());
        assertEquals(new Location(FILE, 3, 1), problems.warnings().get(0).location());
    }

    @Test
    void importedNamesAreUnresolvedNotTheirOwnText() {
        Problems problems = new Problems();
        List<ModelSource> models = parse("""
                from sqlmesh import model
                from sqlmesh.core.model.kind import ModelKindName
                from shared.dates import START, CRON

                @model("a.b", columns={"x": "int"}, start=START, cron=CRON,
                       kind=ModelKindName.FULL, on_destructive_change=OnDestructiveChange.WARN)
                def run(context):
                    return None
                """, Map.of(), problems);
        ModelSource m = models.get(0);
        // neither the text START nor CRON is a value: the model keeps no start and no cron of its own
        assertTrue(m.value("start").isEmpty());
        assertTrue(m.value("cron").isEmpty());
        assertEquals(new Scalar("FULL", false), value(m, "kind"));
        assertEquals(new Scalar("WARN", false), value(m, "on_destructive_change"));
        assertEquals(2, problems.unresolved().size(), () -> problems.all().toString());
        assertEquals(List.of(new Location(FILE, 5, 37), new Location(FILE, 5, 50)),
                problems.warnings().stream().map(Problem::location).toList());
        assertTrue(problems.warnings().get(0).toString().contains("start=START"), problems.warnings().get(0)::toString);
    }

    @Test
    void isSqlReturningAnExpressionParenthesisedLiteral() {
        ModelSource m = one("""
                from sqlmesh import model

                @model("a.b", is_sql=True, kind="FULL")
                def run(evaluator):
                    return (
                        \"\"\"SELECT 1 AS x\"\"\"
                    )
                """);
        assertEquals("SELECT 1 AS x", m.query());
    }

    @Test
    void missingColumnsIsAnError() {
        assertEquals("models/py_model.py:3:1: a Python model must declare its output columns; add "
                + "columns={\"column\": \"type\", ...} to @model(...)",
                error("from sqlmesh import model\n\n@model(\"a.b\", kind=\"FULL\")\ndef run(context):\n    return None\n"));
    }

    @Test
    void badPythonText() {
        assertEquals("models/py_model.py:3:7: '(' is never closed; add the missing ')'",
                error("from sqlmesh import model\n\n@model(\"a.b\", columns={\"x\": \"int\"}\ndef run(c):\n    pass\n"));
        assertEquals("models/py_model.py:3:8: string starting here is never closed; add the closing \"",
                error("from sqlmesh import model\n\n@model(\"a.b, columns={})\ndef run(c):\n    pass\n"));
        assertEquals("models/py_model.py:1:5: the file contains a NUL byte, so it is binary, not a model; remove it "
                + "from the models folder", error("abc \0"));
    }

    @Test
    void blueprintsAsSqlString() {
        Problems problems = new Problems();
        List<ModelSource> models = parse("""
                from sqlmesh import model

                @model("s.@{c}", columns={"x": "int"}, blueprints="((c := a), (c := b))")
                def run(context):
                    return context.table(f"raw.{context.blueprint_var('c')}")
                """, Map.of(), problems);
        assertEquals(List.of(), problems.all());
        assertEquals(List.of(List.of("raw.a"), List.of("raw.b")),
                models.stream().map(ModelSource::dependencies).toList());
    }

    @Test
    void sqlmeshModuleDecoratorAndSeveralModels() {
        Problems problems = new Problems();
        List<ModelSource> models = parse("""
                import sqlmesh

                @sqlmesh.model("a.one", columns={"x": "int"})
                def one(context): return context.table("raw.one")

                @sqlmesh.model("a.two", columns={"x": "int"})
                async def two(context):
                    return context.table("a.one")
                """, Map.of(), problems);
        assertEquals(List.of(), problems.all());
        assertEquals(List.of(List.of("raw.one"), List.of("a.one")),
                models.stream().map(ModelSource::dependencies).toList());
    }

    @Test
    void argumentsThatNeedPythonAreReportedNotGuessed() {
        Problems problems = new Problems();
        List<ModelSource> models = parse("""
                from sqlmesh import model

                COMMON = {"cron": "@daily"}

                @model("a.b", columns={"x": "int"}, **COMMON)
                def run(context):
                    return None
                """, Map.of(), problems);
        assertEquals(1, models.size());
        assertEquals(List.of("models/py_model.py:5:37: warning: this @model argument cannot be read without running "
                + "Python and is ignored; pass each setting as keyword=value"),
                problems.all().stream().map(Problem::toString).toList());
    }

    private static String model(String kwarg) {
        return "from sqlmesh import model\n\n@model(\"a.b\", columns={\"x\": \"int\"}, " + kwarg
                + ")\ndef run(context):\n    return None\n";
    }
}
