package dev.sqlmeshdag.core;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A SQLMesh project's configuration as SQLMesh itself resolves it for one gateway.
 *
 * @param root             project folder (absolute)
 * @param configFile       the config file read, relative to root ({@code config.yaml}, {@code config.py}, ...)
 * @param project          the config's {@code project} name, or "" when unset
 * @param gateway          the chosen gateway's name (explicit, else {@code default_gateway}, else the first)
 * @param gateways         every gateway name, in file order
 * @param connectionType   the gateway connection's {@code type} ({@code duckdb}, {@code postgres}, ...)
 * @param stateConnectionType the gateway's {@code state_connection} type, or null when state lives in the warehouse
 * @param dialect          {@code model_defaults.dialect}, lower case
 * @param defaultCatalog   the catalog SQLMesh derives from the connection, or null (MySQL, ClickHouse)
 * @param modelDefaults    {@code model_defaults} with the gateway's own model_defaults laid over the root ones
 * @param variables        {@code variables} with the gateway's variables laid over; keys lower case
 * @param inferNames       {@code model_naming.infer_names}
 * @param ignorePatterns   {@code ignore_patterns} globs, relative to root
 * @param modelFiles       every model file (.sql, .py) under {@code models/}, ignore patterns applied, sorted
 * @param userMacros       names of the project's own Python macros ({@code @macro()} functions under macros/), lower case
 * @param externalModels   external tables that apply to this gateway
 * @param otherGateways    per other gateway (lower-case name): what a model whose {@code gateway} property names it
 *                         reads with, its default catalog and variables, as SQLMesh loads such a model
 */
public record ProjectConfig(
        Path root,
        String configFile,
        String project,
        String gateway,
        List<String> gateways,
        String connectionType,
        String stateConnectionType,
        String dialect,
        String defaultCatalog,
        Map<String, Object> modelDefaults,
        Map<String, Object> variables,
        boolean inferNames,
        List<String> ignorePatterns,
        List<Path> modelFiles,
        Set<String> userMacros,
        List<ExternalModel> externalModels,
        Map<String, GatewayScope> otherGateways) {

    /** A config with no gateway a model could name besides the chosen one. */
    public ProjectConfig(Path root, String configFile, String project, String gateway, List<String> gateways,
            String connectionType, String stateConnectionType, String dialect, String defaultCatalog,
            Map<String, Object> modelDefaults, Map<String, Object> variables, boolean inferNames,
            List<String> ignorePatterns, List<Path> modelFiles, Set<String> userMacros,
            List<ExternalModel> externalModels) {
        this(root, configFile, project, gateway, gateways, connectionType, stateConnectionType, dialect,
                defaultCatalog, modelDefaults, variables, inferNames, ignorePatterns, modelFiles, userMacros,
                externalModels, Map.of());
    }

    /**
     * @param defaultCatalog the catalog SQLMesh derives from the gateway's connection, or null
     * @param catalogKnown   false when the connection leaves the catalog to the warehouse
     * @param variables      root variables with the gateway's laid over; keys lower case
     */
    public record GatewayScope(String defaultCatalog, boolean catalogKnown, Map<String, Object> variables) {
    }
}
