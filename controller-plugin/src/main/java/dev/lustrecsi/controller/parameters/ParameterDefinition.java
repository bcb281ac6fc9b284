package dev.lustrecsi.controller.parameters;

/**
 * One StorageClass parameter the driver accepts. The list of these is the single source for
 * validation and for the parameter reference in docs/, so the two cannot drift.
 *
 * @param key the parameter name as written in the StorageClass
 * @param scope whether it describes the filesystem (fixed when the filesystem is created) or one volume
 * @param defaultValue the value used when absent, or empty when the parameter is required or has no default
 * @param description what it does, for the docs
 */
public record ParameterDefinition(String key, Scope scope, String defaultValue, String description) {
  /** What a parameter describes. */
  public enum Scope {
    /** Fixed when the filesystem is created; a later StorageClass must agree. */
    FILESYSTEM,
    /** Chosen per volume. */
    VOLUME
  }

  public boolean required() {
    return defaultValue == null;
  }
}
