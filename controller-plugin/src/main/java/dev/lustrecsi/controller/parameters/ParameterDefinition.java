package dev.lustrecsi.controller.parameters;

import dev.lustrecsi.common.error.CallerText;
import dev.lustrecsi.common.error.CsiException;
import java.util.Map;

/**
 * One StorageClass parameter the driver accepts. The list of these is the single source for
 * validation and for the parameter reference in docs/, so the two cannot drift.
 *
 * @param key the parameter name as written in the StorageClass
 * @param scope whether it describes the filesystem (fixed when the filesystem is created) or one volume
 * @param defaultValue the value used when absent, null when the parameter is required, empty when the controller decides
 * @param grammar how its value is written
 * @param description what it does, for the docs
 */
public record ParameterDefinition(String key, Scope scope, String defaultValue, ValueGrammar grammar, String description) {
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

  /** The name a message gives this parameter. */
  public String field() {
    return "parameters." + key;
  }

  /**
   * The parameter's value in a StorageClass, written in its grammar; its default when absent.
   * An empty value is refused like any other value outside the grammar, for every parameter:
   * leaving a parameter out is how a StorageClass asks for its default, so an empty one is a
   * mistake (often a template that rendered nothing), not a request.
   */
  public String valueIn(Map<String, String> parameters) {
    String given = parameters.get(key);
    if (given == null) {
      if (required()) {
        throw CsiException.missing(field());
      }
      return defaultValue;
    }
    if (given.isEmpty()) {
      throw CsiException.invalidArgument(field(), required() ? "is empty; it is required" : "is empty; leave the parameter out to use its default");
    }
    if (!grammar.accepts().test(given)) {
      throw CsiException.invalidArgument(field(), CallerText.quote(given) + " is not " + grammar.plainRule());
    }
    return given;
  }
}
