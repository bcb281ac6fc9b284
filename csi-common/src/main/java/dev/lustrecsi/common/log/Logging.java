package dev.lustrecsi.common.log;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * One-line log format on stderr through java.util.logging. The plugins log through
 * {@link System.Logger}; JUL is its built-in backend, so no logging framework is loaded (the node
 * plugin runs on every node and every loaded class costs memory and start time).
 */
public final class Logging {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  // Strong references: java.util.logging holds loggers weakly, and a collected logger comes back
  // without the level set on it.
  private static final Logger NETTY = Logger.getLogger("io.netty");
  private static final Logger GRPC = Logger.getLogger("io.grpc");

  private Logging() {}

  /** Installs the format; {@code verbose} adds DEBUG lines (Probe calls among them). */
  public static void configure(boolean verbose) {
    // Netty picks SLF4J when its API is on the class path (fabric8 brings it), loading it and
    // warning that no provider exists; everything here logs through java.util.logging.
    io.netty.util.internal.logging.InternalLoggerFactory.setDefaultFactory(io.netty.util.internal.logging.JdkLoggerFactory.INSTANCE);
    Logger root = Logger.getLogger("");
    for (var handler : root.getHandlers()) {
      root.removeHandler(handler);
    }
    ConsoleHandler handler = new ConsoleHandler();
    handler.setFormatter(new OneLine());
    Level level = verbose ? Level.FINE : Level.INFO;
    handler.setLevel(level);
    root.setLevel(level);
    root.addHandler(handler);
    // Netty and gRPC are chatty at FINE; their warnings still show.
    NETTY.setLevel(Level.INFO);
    GRPC.setLevel(Level.INFO);
  }

  private static final class OneLine extends Formatter {
    @Override
    public String format(LogRecord record) {
      StringBuilder line = new StringBuilder(128)
          .append(TIME.format(Instant.ofEpochMilli(record.getMillis())))
          .append(' ').append(levelName(record.getLevel()))
          .append(' ').append(shortName(record.getLoggerName()))
          .append(": ").append(formatMessage(record)).append('\n');
      if (record.getThrown() != null) {
        var out = new java.io.StringWriter();
        record.getThrown().printStackTrace(new java.io.PrintWriter(out));
        line.append(out);
      }
      return line.toString();
    }

    private static String levelName(Level level) {
      if (level.intValue() >= Level.SEVERE.intValue()) return "ERROR";
      if (level.intValue() >= Level.WARNING.intValue()) return "WARN";
      if (level.intValue() >= Level.INFO.intValue()) return "INFO";
      return "DEBUG";
    }

    private static String shortName(String logger) {
      if (logger == null) return "-";
      int dot = logger.lastIndexOf('.');
      return dot < 0 || logger.startsWith("csi.") ? logger : logger.substring(dot + 1);
    }
  }
}
