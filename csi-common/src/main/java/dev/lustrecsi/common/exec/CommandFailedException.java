package dev.lustrecsi.common.exec;

/** A command that exited non-zero or ran out of time; the message carries its own error text. */
public final class CommandFailedException extends Exception {
  private final CommandResult result;

  public CommandFailedException(CommandResult result) {
    super(result.command() + " exited " + result.exitCode() + ": " + result.errorText());
    this.result = result;
  }

  public CommandFailedException(Command command, String problem) {
    super(command + ": " + problem);
    this.result = null;
  }

  /** The finished command, or null when it never finished (timeout, could not start). */
  public CommandResult result() {
    return result;
  }
}
