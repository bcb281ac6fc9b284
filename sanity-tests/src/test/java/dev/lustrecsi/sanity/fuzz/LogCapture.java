package dev.lustrecsi.sanity.fuzz;

import dev.lustrecsi.common.error.CallerText;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * The driver's log lines, caught in this process (the sandbox runs in the test's JVM) as
 * java.util.logging records: the call log at every level, Probe's DEBUG lines included, and
 * everything else the plugins log. The console sees only errors while the run lasts: its
 * requests make the driver warn a lot, by design.
 */
final class LogCapture implements AutoCloseable {
  private final Logger root = Logger.getLogger("");
  // Held in fields: java.util.logging keeps loggers weakly, and a collected one loses its level.
  private final Logger calls = Logger.getLogger("csi.calls");
  private final Logger driver = Logger.getLogger("dev.lustrecsi");
  private final Level callsLevel = calls.getLevel();
  private final Level driverLevel = driver.getLevel();
  private final List<Level> consoleLevels = new ArrayList<>();
  private final ConcurrentLinkedQueue<LogRecord> records = new ConcurrentLinkedQueue<>();
  private final Formatter formatter = new SimpleFormatter();
  private final Handler handler = new Handler() {
    @Override
    public void publish(LogRecord record) {
      records.add(record);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };

  LogCapture() {
    for (Handler console : root.getHandlers()) {
      consoleLevels.add(console.getLevel());
      console.setLevel(Level.SEVERE);
    }
    handler.setLevel(Level.ALL);
    calls.setLevel(Level.ALL);
    driver.setLevel(Level.FINE);
    root.addHandler(handler);
  }

  /** Lines caught since the last call that hold a raw control character, escaped so they can be shown. */
  List<String> unsafeLines() {
    List<String> unsafe = new ArrayList<>();
    LogRecord record;
    while ((record = records.poll()) != null) {
      String line = formatter.formatMessage(record);
      Throwable thrown = record.getThrown();
      String thrownMessage = thrown == null || thrown.getMessage() == null ? "" : thrown.getMessage();
      if (!CallerText.isPrintable(line) || !CallerText.isPrintable(thrownMessage)) {
        unsafe.add(record.getLoggerName() + ": " + CallerText.quote(line + (thrownMessage.isEmpty() ? "" : " / " + thrownMessage)));
      }
    }
    return unsafe;
  }

  @Override
  public void close() {
    root.removeHandler(handler);
    Handler[] consoles = root.getHandlers();
    for (int i = 0; i < consoles.length && i < consoleLevels.size(); i++) {
      consoles[i].setLevel(consoleLevels.get(i));
    }
    calls.setLevel(callsLevel);
    driver.setLevel(driverLevel);
  }
}
