package dev.sqlmeshdag.core;

/**
 * A table declared in {@code external_models.yaml} (or {@code external_models/**}/*.yaml, or the legacy
 * {@code schema.yaml}). {@code gateway} is null unless the entry is scoped to one gateway.
 */
public record ExternalModel(String name, String gateway, Location location) {
}
