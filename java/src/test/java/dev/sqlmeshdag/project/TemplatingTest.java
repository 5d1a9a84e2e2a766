package dev.sqlmeshdag.project;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sqlmeshdag.core.ProjectConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TemplatingTest {

    @TempDir
    Path dir;

    private static final String TEMPLATED = """
            gateways:
              local:
                connection:
                  type: duckdb
                  database: "{{ env_var('WAREHOUSE_FILE', 'fallback.duckdb') }}"
            model_defaults:
              dialect: {{ env_var('DIALECT') }}
            """;

    @Test
    void envVarValueIsSubstitutedBeforeParsing() {
        ProjectConfig config = new TestProject(dir).file("config.yaml", TEMPLATED)
                .env("WAREHOUSE_FILE", "data/sales.duckdb").env("DIALECT", "DuckDB").load();
        assertEquals("sales", config.defaultCatalog());
        assertEquals("duckdb", config.dialect());
    }

    @Test
    void envVarDefaultAppliesWhenUnset() {
        ProjectConfig config = new TestProject(dir).file("config.yaml", TEMPLATED).env("DIALECT", "duckdb").load();
        assertEquals("fallback", config.defaultCatalog());
    }

    @Test
    void missingEnvVarWithoutDefaultBecomesTheTextNoneAsInSqlmesh() {
        TestProject project = new TestProject(dir).file("config.yaml", TestProject.DUCKDB + """
                project: {{ env_var('TEAM') }}
                """);
        ProjectConfig config = project.load();
        assertEquals("None", config.project());
        assertTrue(project.warnings().contains("config.yaml:8:10: warning: environment variable 'TEAM' is not set"),
                project.warnings());
    }

    @Test
    void dotEnvFileInTheProjectProvidesVariables() {
        ProjectConfig config = new TestProject(dir).file("config.yaml", TEMPLATED)
                .file(".env", "# local settings\nexport WAREHOUSE_FILE=\"lake.duckdb\"\nDIALECT=postgres # comment\n")
                .env("WAREHOUSE_FILE", "overridden-by-dotenv.duckdb").load();
        assertEquals("lake", config.defaultCatalog());
        assertEquals("postgres", config.dialect());
    }

    @Test
    void sqlmeshPrefixedVariablesOverrideConfigKeys() {
        ProjectConfig config = new TestProject(dir)
                .file("config.yaml", """
                        gateways:
                          local:
                            connection: {type: duckdb, database: db.duckdb}
                          other:
                            connection: {type: duckdb, database: other.duckdb}
                        model_defaults:
                          dialect: duckdb
                        """)
                .env("SQLMESH__DEFAULT_GATEWAY", "other")
                .env("SQLMESH__MODEL_DEFAULTS__DIALECT", "snowflake")
                .env("SQLMESH__VARIABLES__REGION", "eu")
                .load();
        assertEquals("other", config.gateway());
        assertEquals("other", config.defaultCatalog());
        assertEquals("snowflake", config.dialect());
        assertEquals("eu", config.variables().get("region"));
    }

    @Test
    void unsupportedJinjaIsReportedWithItsPosition() {
        String message = new TestProject(dir).file("config.yaml", TestProject.DUCKDB + """
                project: "{{ lookup('x') }}"
                """).failure();
        assertTrue(message.startsWith("config.yaml:8:11: cannot evaluate '{{ lookup('x') }}'"), message);
    }

    @Test
    void ifElifElseChoosesByEnvironmentVariable() {
        String config = TestProject.DUCKDB + """
                {% if env_var('TARGET') == 'prod' %}
                project: production
                {% elif env_var('TARGET') %}
                project: "{{ env_var('TARGET') }}"
                {% else %}
                project: unset
                {% endif %}
                """;
        assertEquals("production", new TestProject(dir.resolve("a")).file("config.yaml", config)
                .env("TARGET", "prod").load().project());
        assertEquals("qa", new TestProject(dir.resolve("b")).file("config.yaml", config)
                .env("TARGET", "qa").load().project());
        TestProject unset = new TestProject(dir.resolve("c")).file("config.yaml", config);
        assertEquals("unset", unset.load().project());
        assertEquals("", unset.warnings(), "testing an unset variable is not printing None");
    }

    @Test
    void conditionWithStringMethodAndTupleMembershipAsInRealConfigs() {
        String config = TestProject.DUCKDB + """
                project: {% if env_var('TRUST', 'true').lower() in ('true', '1', 'yes') %}trusted{% else %}no{% endif %}
                """;
        assertEquals("trusted", new TestProject(dir.resolve("a")).file("config.yaml", config).load().project());
        assertEquals("trusted", new TestProject(dir.resolve("b")).file("config.yaml", config)
                .env("TRUST", "YES").load().project());
        assertEquals("no", new TestProject(dir.resolve("c")).file("config.yaml", config)
                .env("TRUST", "off").load().project());
    }

    @Test
    void intFilterFollowsJinja() {
        ProjectConfig config = new TestProject(dir).file("config.yaml", TestProject.DUCKDB + """
                variables:
                  port: {{ env_var('PORT', '5433') | int }}
                  rounded: {{ env_var('RATIO') | int }}
                  fallback: {{ env_var('WORDS') | int(7) }}
                  missing: {{ env_var('NOTSET', none) | int }}
                """).env("RATIO", " 42.9 ").env("WORDS", "many").load();
        assertEquals(5433, ((Number) config.variables().get("port")).intValue());
        assertEquals(42, ((Number) config.variables().get("rounded")).intValue());
        assertEquals(7, ((Number) config.variables().get("fallback")).intValue());
        assertEquals(0, ((Number) config.variables().get("missing")).intValue());
    }

    @Test
    void defaultLowerUpperAndStringFilters() {
        ProjectConfig config = new TestProject(dir).file("config.yaml", TestProject.DUCKDB + """
                variables:
                  a: "{{ undefined_name | default('fallback') }}"
                  b: "{{ env_var('EMPTY') | default('only-for-undefined') }}"
                  c: "{{ env_var('EMPTY') | default('also-for-false', true) }}"
                  d: "{{ env_var('MIXED', 'MiXeD') | lower }}-{{ 'x' | upper }}-{{ 12 | string }}"
                """).env("EMPTY", "").load();
        assertEquals("fallback", config.variables().get("a"));
        assertEquals("", config.variables().get("b"));
        assertEquals("also-for-false", config.variables().get("c"));
        assertEquals("mixed-X-12", config.variables().get("d"));
    }

    @Test
    void setAndForBuildTheYaml() {
        ProjectConfig config = new TestProject(dir).file("config.yaml", TestProject.DUCKDB + """
                {% set prefix = env_var('PREFIX', 'raw') ~ '_' %}
                variables:
                {% for source in ['crm', 'erp'] %}
                  {{ source }}_schema: {{ prefix }}{{ source }}{% if loop.last %}_last{% endif %}
                {% endfor %}
                """).load();
        assertEquals("raw_crm", config.variables().get("crm_schema"));
        assertEquals("raw_erp_last", config.variables().get("erp_schema"));
    }

    @Test
    void rangeLoopsInConfig() {
        ProjectConfig config = new TestProject(dir).file("config.yaml", TestProject.DUCKDB + """
                variables:
                {% for i in range(env_var('SHARDS', '2') | int) %}
                  shard_{{ i }}: s{{ i }}
                {% endfor %}
                """).load();
        assertEquals("s0", config.variables().get("shard_0"));
        assertEquals("s1", config.variables().get("shard_1"));
        assertEquals(2, config.variables().size());
    }

    @Test
    void statementsInAGatewayThatIsNotSelectedStillRender() {
        ProjectConfig config = new TestProject(dir).file("config.yaml", """
                gateways:
                  local:
                    connection: {type: duckdb, database: db.duckdb}
                  other:
                    connection:
                      type: duckdb
                      database: {% if env_var('OTHER_DB') %}{{ env_var('OTHER_DB') }}{% else %}other.duckdb{% endif %}
                default_gateway: local
                model_defaults:
                  dialect: duckdb
                """).load();
        assertEquals("db", config.defaultCatalog());
    }

    @Test
    void filterJinjaDoesNotHaveIsReportedWithItsPosition() {
        String message = new TestProject(dir).file("config.yaml", TestProject.DUCKDB + """
                project: {{ env_var('X', 'yes') | bool }}
                """).failure();
        assertTrue(message.startsWith("config.yaml:8:10: cannot evaluate '{{ env_var('X', 'yes') | bool }}'"),
                message);
    }

    @Test
    void undecidableConditionIsAnErrorNotAGuess() {
        String message = new TestProject(dir).file("config.yaml", TestProject.DUCKDB + """
                {% if lookup('x') %}
                project: a
                {% endif %}
                """).failure();
        assertTrue(message.startsWith("config.yaml:8:1: cannot evaluate the condition of '{% if lookup('x') %}'"),
                message);
    }

    @Test
    void blockLeftOpenIsReportedWhereItOpens() {
        String message = new TestProject(dir).file("config.yaml", TestProject.DUCKDB + """
                {% for x in ['a'] %}
                project: a
                """).failure();
        assertTrue(message.startsWith("config.yaml:8:1: Jinja block '{% for x in ['a'] %}' is never closed: add {% endfor %}"),
                message);
    }

    @Test
    void blockSetCapturesItsBodyAndMustBeClosed() {
        assertEquals("team-a", new TestProject(dir.resolve("ok")).file("config.yaml", TestProject.DUCKDB + """
                {% set name %}team-{{ env_var('TEAM', 'a') }}{% endset %}
                project: {{ name }}
                """).load().project());
        String message = new TestProject(dir.resolve("open")).file("config.yaml", TestProject.DUCKDB + """
                project: a
                {% set name %}team
                """).failure();
        assertTrue(message.startsWith("config.yaml:9:1: Jinja block '{% set name %}' is never closed: add {% endset %}"),
                message);
    }

    @Test
    void unclosedExpressionIsReportedWhereItOpens() {
        String message = new TestProject(dir).file("config.yaml", TestProject.DUCKDB + """
                project: "{{ env_var('X', 'a')"
                """).failure();
        assertTrue(message.startsWith("config.yaml:8:11: unclosed Jinja '{{': add the closing '}}'"), message);
    }

    @Test
    void macroDefinitionsAreReportedAsUnsupported() {
        String message = new TestProject(dir).file("config.yaml", TestProject.DUCKDB + """
                {% macro name() %}x{% endmacro %}
                project: a
                """).failure();
        assertTrue(message.startsWith("config.yaml:8:1: cannot evaluate '{% macro name() %}'"), message);
    }

    /** Decoded by Python's base64.b64decode(...).decode() as SQLMesh's b64decode filter does. */
    @Test
    void b64decodeFilterDecodesLikePython() {
        String config = TestProject.DUCKDB + """
                project: "{{ env_var('KEY') | b64decode }}"
                """;
        String[][] cases = {{"YQ==", "a"}, {"YQ==YQ==", "a"}, {"Y Q = =", "a"}, {"@@YWJj", "abc"}, {"4pyT", "\u2713"}};
        for (int i = 0; i < cases.length; i++) {
            assertEquals(cases[i][1], new TestProject(dir.resolve("ok" + i)).file("config.yaml", config)
                    .env("KEY", cases[i][0]).load().project(), cases[i][0]);
        }
        for (String bad : new String[] {"YQ", "YWJjZA=", "/w=="}) {
            String message = new TestProject(dir.resolve("bad" + bad.hashCode())).file("config.yaml", config)
                    .env("KEY", bad).failure();
            assertTrue(message.startsWith("config.yaml:8:11: cannot evaluate"), bad + ": " + message);
        }
        assertEquals("YQ==", new TestProject(dir.resolve("encode")).file("config.yaml", TestProject.DUCKDB + """
                project: "{{ 'a' | b64encode }}"
                """).load().project());
    }
}
