package dev.lustrecsi.common.error;

import java.nio.charset.StandardCharsets;

/**
 * Text a caller sent, made safe to put into an error message or a log line. A caller can send
 * anything in a string field: newlines that forge log lines, ESC sequences that colour an
 * operator's terminal, NUL bytes, or 64 KiB that would push an error status past the size of the
 * caller's response headers. So caller text never appears raw: control, format and separator
 * characters are escaped, and a message shows at most {@value #MAX_SHOWN} characters of it.
 */
public final class CallerText {
  /** The most characters of one caller-supplied value a message shows. */
  public static final int MAX_SHOWN = 256;

  private CallerText() {}

  /**
   * The value in double quotes, escaped so that it reads unambiguously ({@code \\}, {@code \"},
   * {@code \n}, {@code \x1b}, {@code \u2028}), and cut to its first {@value #MAX_SHOWN}
   * characters, saying how long it really was.
   */
  public static String quote(String value) {
    if (value == null) {
      return "(none)";
    }
    int shown = shownLength(value);
    StringBuilder out = new StringBuilder(shown + 16).append('"');
    for (int i = 0; i < shown; ) {
      int c = value.codePointAt(i);
      if (c == '\\' || c == '"') {
        out.append('\\').appendCodePoint(c);
      } else {
        appendSafely(out, c);
      }
      i += Character.charCount(c);
    }
    out.append('"');
    if (shown < value.length()) {
      out.append("... (").append(value.length()).append(" characters)");
    }
    return out.toString();
  }

  /**
   * Whole text (a log line, a status message) with every unsafe character escaped and nothing
   * else changed, so it stays one line and cannot drive a terminal.
   */
  public static String printable(String text) {
    if (text == null || isPrintable(text)) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length() + 16);
    for (int i = 0; i < text.length(); ) {
      int c = text.codePointAt(i);
      appendSafely(out, c);
      i += Character.charCount(c);
    }
    return out.toString();
  }

  /**
   * The text escaped as {@link #printable} does, then cut to at most {@code maxBytes} bytes of
   * UTF-8, marked "..." where it was cut.
   */
  public static String printable(String text, int maxBytes) {
    String safe = printable(text);
    if (safe == null || safe.getBytes(StandardCharsets.UTF_8).length <= maxBytes) {
      return safe;
    }
    int bytes = 0;
    int end = 0;
    while (end < safe.length()) {
      int c = safe.codePointAt(end);
      bytes += new String(Character.toChars(c)).getBytes(StandardCharsets.UTF_8).length;
      if (bytes > maxBytes - 3) {
        break;
      }
      end += Character.charCount(c);
    }
    return safe.substring(0, end) + "...";
  }

  /** Whether the text holds no control, format or separator character and no half of a surrogate pair. */
  public static boolean isPrintable(String text) {
    for (int i = 0; i < text.length(); ) {
      int c = text.codePointAt(i);
      if (isUnsafe(c)) {
        return false;
      }
      i += Character.charCount(c);
    }
    return true;
  }

  /**
   * Characters that do not print as themselves: C0 and C1 controls (newline, ESC, NUL, DEL),
   * format characters (bidirectional overrides, zero-width joiners), the line and paragraph
   * separators, and a lone surrogate.
   */
  static boolean isUnsafe(int c) {
    return switch (Character.getType(c)) {
      case Character.CONTROL, Character.FORMAT, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR, Character.SURROGATE -> true;
      default -> false;
    };
  }

  private static void appendSafely(StringBuilder out, int c) {
    if (!isUnsafe(c)) {
      out.appendCodePoint(c);
      return;
    }
    switch (c) {
      case '\n' -> out.append("\\n");
      case '\r' -> out.append("\\r");
      case '\t' -> out.append("\\t");
      default -> {
        if (c < 0x100) {
          out.append("\\x").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 0xf, 16));
        } else {
          out.append(String.format("\\u%04x", c));
        }
      }
    }
  }

  /** How many chars of the value to show: at most MAX_SHOWN, never splitting a surrogate pair. */
  private static int shownLength(String value) {
    if (value.length() <= MAX_SHOWN) {
      return value.length();
    }
    return Character.isHighSurrogate(value.charAt(MAX_SHOWN - 1)) ? MAX_SHOWN - 1 : MAX_SHOWN;
  }
}
