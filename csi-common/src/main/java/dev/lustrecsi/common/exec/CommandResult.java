package dev.lustrecsi.common.exec;

/**
 * What a finished command left behind.
 *
 * @param command what ran
 * @param exitCode its exit status
 * @param stdout standard output, as text
 * @param stderr standard error, as text
 */
public record CommandResult(Command command, int exitCode, String stdout, String stderr) {
  public boolean succeeded() {
    return exitCode == 0;
  }

  /** The most useful error text: stderr if any, else stdout (mount.lustre writes to both). */
  public String errorText() {
    String text = stderr.isBlank() ? stdout : stderr;
    return text.strip();
  }
}
