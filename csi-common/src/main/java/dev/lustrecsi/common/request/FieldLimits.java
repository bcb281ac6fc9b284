package dev.lustrecsi.common.request;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import dev.lustrecsi.common.error.CsiException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The CSI spec's size limits ("Field Requirements", "Size Limits"), applied to every field of a
 * request, nested messages and repeated fields included, before any service sees it. A CO must
 * keep within them, so a request that does not is refused as INVALID_ARGUMENT naming the field,
 * and no oversized value travels on into paths, commands, messages or the log.
 *
 * <ul>
 *   <li>a string: {@value #STRING_BYTES} bytes;</li>
 *   <li>a {@code map<string, string>}: {@value #MAP_BYTES} bytes of keys and values together;</li>
 *   <li>a path ({@code staging_target_path}, {@code target_path}, {@code volume_path}), for which the
 *   spec defers to the operating system: {@value #PATH_BYTES} bytes, Linux's PATH_MAX less its
 *   terminating NUL, and {@value #PATH_COMPONENT_BYTES} bytes a component (NAME_MAX).</li>
 * </ul>
 */
public final class FieldLimits {
  public static final int STRING_BYTES = 128;
  public static final int MAP_BYTES = 4096;
  public static final int PATH_BYTES = 4095;
  public static final int PATH_COMPONENT_BYTES = 255;

  private FieldLimits() {}

  /** Throws INVALID_ARGUMENT naming the first field of {@code message} that is over its limit. */
  public static void check(Message message) {
    check(message, "");
  }

  /** The limit of a string field, by its name: paths have their own. */
  public static int limitOf(String fieldName) {
    return fieldName.endsWith("_path") ? PATH_BYTES : STRING_BYTES;
  }

  /** Throws INVALID_ARGUMENT when the string is longer than {@code limit} bytes in UTF-8. */
  public static void checkString(String value, int limit, String field) {
    // A char is at most three UTF-8 bytes: most values need no encoding to be known short enough.
    if (value.length() * 3L <= limit) {
      return;
    }
    int bytes = utf8Length(value);
    if (bytes > limit) {
      throw CsiException.invalidArgument(field, "is " + bytes + " bytes; at most " + limit + " are allowed");
    }
  }

  private static void check(Message message, String prefix) {
    for (Map.Entry<FieldDescriptor, Object> set : message.getAllFields().entrySet()) {
      FieldDescriptor field = set.getKey();
      String name = prefix + field.getName();
      if (field.isMapField()) {
        checkMap((List<?>) set.getValue(), name);
      } else if (field.isRepeated()) {
        List<?> values = (List<?>) set.getValue();
        for (int i = 0; i < values.size(); i++) {
          checkValue(field, values.get(i), name + "[" + i + "]");
        }
      } else {
        checkValue(field, set.getValue(), name);
      }
    }
  }

  private static void checkValue(FieldDescriptor field, Object value, String name) {
    if (value instanceof String text) {
      checkString(text, limitOf(field.getName()), name);
    } else if (value instanceof Message nested) {
      check(nested, name + ".");
    }
  }

  private static void checkMap(List<?> entries, String name) {
    long bytes = 0;
    for (Object entry : entries) {
      // A map arrives as a list of entry messages of a key and a value.
      for (Object part : ((Message) entry).getAllFields().values()) {
        bytes += utf8Length(String.valueOf(part));
      }
    }
    if (bytes > MAP_BYTES) {
      throw CsiException.invalidArgument(name, "holds " + bytes + " bytes of keys and values; at most " + MAP_BYTES + " are allowed");
    }
  }

  static int utf8Length(String text) {
    return text.getBytes(StandardCharsets.UTF_8).length;
  }
}
