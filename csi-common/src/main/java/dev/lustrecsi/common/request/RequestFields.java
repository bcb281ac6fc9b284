package dev.lustrecsi.common.request;

import dev.lustrecsi.common.error.CallerText;
import dev.lustrecsi.common.error.CsiException;
import java.nio.charset.StandardCharsets;

/**
 * The one check of every id, name and path a caller sends, made before the text becomes a
 * {@link java.nio.file.Path}, a command argument, a journal record or part of a message. A
 * caller's mistake (nothing given, too long, a NUL or another control character) is
 * INVALID_ARGUMENT naming the field, never an exception from deeper down.
 *
 * <p>Control characters are refused rather than escaped: no id this driver issues, no name a CO
 * generates and no path kubelet makes holds one, and mount(8) and mountinfo cannot carry them
 * faithfully.
 */
public final class RequestFields {
  private RequestFields() {}

  /** A required id or name ({@code volume_id}, {@code name}): present, at most 128 bytes, printable. */
  public static String id(String value, String field) {
    required(value, field);
    FieldLimits.checkString(value, FieldLimits.STRING_BYTES, field);
    printable(value, field);
    return value;
  }

  /** An optional string such as a pagination token: empty, or an id. */
  public static String optional(String value, String field) {
    return value.isEmpty() ? value : id(value, field);
  }

  /**
   * A required path as text: present, within PATH_MAX and NAME_MAX, printable. Whether it is
   * absolute, normal and somewhere the caller may use is the business of whoever asks.
   */
  public static String path(String value, String field) {
    required(value, field);
    FieldLimits.checkString(value, FieldLimits.PATH_BYTES, field);
    printable(value, field);
    for (String component : value.split("/")) {
      if (component.getBytes(StandardCharsets.UTF_8).length > FieldLimits.PATH_COMPONENT_BYTES) {
        throw CsiException.invalidArgument(field, "has a component longer than " + FieldLimits.PATH_COMPONENT_BYTES + " bytes");
      }
    }
    return value;
  }

  private static void required(String value, String field) {
    if (value == null || value.isEmpty()) {
      throw CsiException.missing(field);
    }
  }

  private static void printable(String value, String field) {
    if (!CallerText.isPrintable(value)) {
      throw CsiException.invalidArgument(field, CallerText.quote(value) + " contains a control character");
    }
  }
}
