package dev.lustrecsi.cli;

import java.lang.reflect.Field;
import java.lang.reflect.ParameterizedType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import picocli.CommandLine.Option;

/**
 * Fills a command's {@link Option} fields from a well-formed command line without building
 * picocli's model of it. The node plugin starts interpreted on every node, and picocli's model
 * costs it about 200 ms there; the fields' own annotations stay the one definition of the options.
 *
 * <p>Only the plain case is handled: long and short names, {@code --name value} and
 * {@code --name=value}, defaults, comma-split lists, and values of type String, Path, Duration,
 * boolean and {@code List<Path>}. Anything else (help, version, an unknown option, a missing or
 * unconvertible value, a missing required option) returns empty, and the caller hands the command
 * line to picocli, which reports it as usual.
 */
final class QuickOptions {
  private static final Set<String> STANDARD_HELP = Set.of("-h", "--help", "-V", "--version");

  private QuickOptions() {}

  /** Whether {@code command}'s fields were all set from {@code args}. */
  static boolean fill(Object command, String[] args) {
    Map<String, Field> byName = new HashMap<>();
    List<Field> fields = new ArrayList<>();
    for (Field field : command.getClass().getDeclaredFields()) {
      Option option = field.getAnnotation(Option.class);
      if (option != null) {
        fields.add(field);
        for (String name : option.names()) {
          byName.put(name, field);
        }
      }
    }
    Map<Field, Object> values = new HashMap<>();
    Set<Field> given = new HashSet<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (STANDARD_HELP.contains(arg)) {
        return false;
      }
      int equals = arg.indexOf('=');
      boolean inline = equals > 0 && arg.startsWith("--");
      Field field = byName.get(inline ? arg.substring(0, equals) : arg);
      if (field == null || !given.add(field)) {
        return false;  // unknown, a positional argument, or given twice
      }
      String text;
      if (field.getType() == boolean.class) {
        if (inline) {
          return false;
        }
        text = "true";
      } else if (inline) {
        text = arg.substring(equals + 1);
      } else if (i + 1 < args.length && !args[i + 1].startsWith("-")) {
        text = args[++i];
      } else {
        return false;
      }
      Optional<Object> value = convert(field, text);
      if (value.isEmpty()) {
        return false;
      }
      values.put(field, value.get());
    }
    for (Field field : fields) {
      Option option = field.getAnnotation(Option.class);
      if (values.containsKey(field)) {
        continue;
      }
      if (option.required()) {
        return false;
      }
      if (!Option.NULL_VALUE.equals(option.defaultValue()) && !"__no_default_value__".equals(option.defaultValue())) {
        Optional<Object> value = convert(field, option.defaultValue());
        if (value.isEmpty()) {
          return false;
        }
        values.put(field, value.get());
      }
    }
    try {
      for (var entry : values.entrySet()) {
        entry.getKey().setAccessible(true);
        entry.getKey().set(command, entry.getValue());
      }
    } catch (IllegalAccessException e) {
      return false;
    }
    return true;
  }

  private static Optional<Object> convert(Field field, String text) {
    Class<?> type = field.getType();
    try {
      if (type == String.class) {
        return Optional.of(text);
      }
      if (type == Path.class) {
        return Optional.of(Path.of(text));
      }
      if (type == Duration.class) {
        return Optional.of(Duration.parse(text));
      }
      if (type == boolean.class) {
        return Optional.of(Boolean.parseBoolean(text));
      }
      if (type == List.class && field.getGenericType() instanceof ParameterizedType list
          && list.getActualTypeArguments()[0] == Path.class) {
        String split = field.getAnnotation(Option.class).split();
        List<Path> paths = new ArrayList<>();
        for (String part : split.isEmpty() ? new String[] {text} : text.split(split)) {
          paths.add(Path.of(part));
        }
        return Optional.of(paths);
      }
    } catch (RuntimeException e) {
      return Optional.empty();  // picocli reports it
    }
    return Optional.empty();
  }
}
