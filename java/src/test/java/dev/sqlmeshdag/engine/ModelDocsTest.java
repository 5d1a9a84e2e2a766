package dev.sqlmeshdag.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sqlmeshdag.parse.PythonOracle;
import dev.sqlmeshdag.spec.SpecBuilder;
import dev.sqlmeshdag.spec.SpecDocument;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Grains, declared columns and column descriptions in the spec: as the project declares them, and as SQLMesh holds them. */
class ModelDocsTest {

    /** One model per rule: dialect casing of names, quoted names, nested fields, Python models, what is not read. */
    static Path project(Path dir) throws IOException {
        Files.createDirectories(dir.resolve("models"));
        Files.writeString(dir.resolve("config.yaml"), """
                gateways:
                  local:
                    connection:
                      type: duckdb
                      database: docs.duckdb
                default_gateway: local
                model_defaults:
                  dialect: duckdb
                """);
        Files.writeString(dir.resolve("models/declared.sql"), """
                MODEL (
                  name s.declared,
                  kind FULL,
                  grains (Id, ("Day", Id)),
                  columns (Id INT, "Day" DATE, Amount DECIMAL(10,  2), tags STRUCT(a INT)),
                  column_descriptions (id = 'the key', "Day" = 'the day', tags.a = 'nested', gone = 'dropped')
                );
                SELECT 1 AS id, CAST('2024-01-01' AS DATE) AS day, 1.0 AS amount, {'a': 1} AS tags
                """);
        Files.writeString(dir.resolve("models/pg.sql"), """
                MODEL (
                  name s.pg,
                  kind FULL,
                  dialect postgres,
                  grain (Id, other),
                  column_descriptions ("Id" = 'kept as quoted', Other = 'folded')
                );
                SELECT 1 AS "Id", 2 AS other
                """);
        Files.writeString(dir.resolve("models/snow.sql"), """
                MODEL (
                  name s.snow,
                  kind FULL,
                  dialect snowflake,
                  columns (id NUMBER(38, 0), "Mixed" VARCHAR),
                  column_descriptions (id = 'upper-cased')
                );
                SELECT 1 AS id, 'x' AS "Mixed"
                """);
        Files.writeString(dir.resolve("models/expression.sql"), """
                MODEL (name s.expression, kind FULL, grain date_trunc('day', ts));
                SELECT CURRENT_TIMESTAMP AS ts
                """);
        Files.writeString(dir.resolve("models/plain.sql"), """
                MODEL (name s.plain, kind FULL);
                SELECT 1 AS id -- a comment SQLMesh reads as a description, the engine does not
                """);
        Files.writeString(dir.resolve("models/py_model.py"), """
                import typing as t
                from sqlmesh import ExecutionContext, model

                @model(
                    "s.py_model",
                    kind="FULL",
                    columns={"Id": "int", "name": "text"},
                    column_descriptions={"Id": "from Python"},
                    grain=["Id"],
                )
                def execute(context: ExecutionContext, **kwargs: t.Any):
                    import pandas as pd
                    return pd.DataFrame([{"id": 1, "name": "a"}])
                """);
        return dir;
    }

    static Map<String, SpecDocument.ModelEntry> spec(Path project) {
        SpecDocument spec = SpecBuilder.build(Engine.load(project, Options.defaults()), project);
        assertEquals(List.of(), spec.errors(), project.toString());
        Map<String, SpecDocument.ModelEntry> out = new LinkedHashMap<>();
        spec.models().forEach(m -> out.put(m.name(), m));
        return out;
    }

    @Test
    void theDeclaredValuesAsSqlmeshNamesThem(@TempDir Path tmp) throws Exception {
        Map<String, SpecDocument.ModelEntry> models = spec(project(tmp));
        SpecDocument.ModelEntry declared = models.get("s.declared");
        assertEquals(List.of("Id", "(\"Day\", Id)"), declared.grains());
        // DuckDB folds every name to lower case, quoted or not; a type keeps its text, spaces collapsed
        assertEquals(Map.of("id", "INT", "day", "DATE", "amount", "DECIMAL(10, 2)", "tags", "STRUCT(a INT)"),
                declared.columns());
        assertEquals(List.of("id", "day", "amount", "tags"), List.copyOf(declared.columns().keySet()));
        // a description of a column the declared columns lack is dropped, as SQLMesh drops it
        assertEquals(Map.of("id", "the key", "day", "the day"), declared.columnDescriptions());

        SpecDocument.ModelEntry pg = models.get("s.pg");
        assertEquals(List.of("(Id, other)"), pg.grains(), "grain is one grain: a tuple is a composite grain");
        assertNull(pg.columns());
        assertEquals(Map.of("Id", "kept as quoted", "other", "folded"), pg.columnDescriptions());

        SpecDocument.ModelEntry snow = models.get("s.snow");
        assertEquals(Map.of("ID", "NUMBER(38, 0)", "Mixed", "VARCHAR"), snow.columns());
        assertEquals(Map.of("ID", "upper-cased"), snow.columnDescriptions());

        assertNull(models.get("s.expression").grains(), "an expression SQLMesh prints in its own way is not given");
        SpecDocument.ModelEntry plain = models.get("s.plain");
        assertEquals(List.of(), plain.grains());
        assertNull(plain.columns(), "a type inferred from the query is never given");
        assertNull(plain.columnDescriptions(), "comments in the query are not read");

        SpecDocument.ModelEntry py = models.get("s.py_model");
        assertEquals(List.of("Id"), py.grains());
        assertEquals(Map.of("id", "int", "name", "text"), py.columns());
        assertEquals(Map.of("id", "from Python"), py.columnDescriptions());
    }

    @Test
    void theValuesAreSqlmeshsOnTheseProjectsTheExampleAndTheCorpus(@TempDir Path tmp) throws Exception {
        List<Path> projects = new ArrayList<>();
        projects.add(project(tmp.resolve("docs")));
        projects.add(Path.of("examples/shop").toAbsolutePath());
        try (Stream<Path> corpus = Files.list(Path.of("fidelity/corpus").toAbsolutePath())) {
            corpus.filter(ModelDocsTest::declaresDocs).sorted().forEach(projects::add);
        }
        assertTrue(projects.size() >= 4, projects.toString());
        List<Map<String, Object>> request = new ArrayList<>();
        for (Path project : projects) {
            Map<String, Object> models = new LinkedHashMap<>();
            SpecDocument spec = SpecBuilder.build(Engine.load(project, Options.defaults()), project);
            for (SpecDocument.ModelEntry m : spec.models()) {
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("python", m.python());
                entry.put("grains", m.grains());
                entry.put("columns", m.columns());
                entry.put("column_descriptions", m.columnDescriptions());
                models.put(m.fqn(), entry);
            }
            request.add(Map.of("path", project.toString(), "models", models));
        }
        JsonNode answer = PythonOracle.run(ModelDocsTest.class, "model_docs_oracle.py", Map.of("projects", request));
        List<String> differences = new ArrayList<>();
        answer.get("differences").forEach(d -> differences.add(d.asText()));
        assertEquals(List.of(), differences);
        JsonNode compared = answer.get("compared");
        assertTrue(compared.get("grains").asInt() > 10 && compared.get("columns").asInt() > 10
                && compared.get("column_descriptions").asInt() > 5, compared.toString());
    }

    /** A corpus project whose models declare a grain, columns or column descriptions. */
    private static boolean declaresDocs(Path project) {
        try (Stream<Path> files = Files.walk(project)) {
            return files.filter(f -> f.toString().endsWith(".sql") || f.toString().endsWith(".py")).anyMatch(f -> {
                try {
                    String text = Files.readString(f);
                    return text.contains("grain") || text.contains("columns") || text.contains("column_descriptions");
                } catch (IOException e) {
                    return false;
                }
            });
        } catch (IOException e) {
            return false;
        }
    }
}
