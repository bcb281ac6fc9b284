package dev.lustrecsi.common.exec;

/**
 * Runs commands. Every external program the project runs goes through this interface, so tests
 * can record command lines and answer with sample outputs, and the sandbox can simulate what
 * cannot run on a build machine.
 */
public interface CommandRunner {
  /** Runs the command and returns its result whatever the exit code; throws only if it could not run or timed out. */
  CommandResult run(Command command) throws CommandFailedException;

  /** Runs the command and fails unless it exits 0. */
  default CommandResult runChecked(Command command) throws CommandFailedException {
    CommandResult result = run(command);
    if (!result.succeeded()) {
      throw new CommandFailedException(result);
    }
    return result;
  }
}
