package dev.lustrecsi.common.exec;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Runs commands as child processes, with a hard timeout and bounded output capture. */
public final class ProcessCommandRunner implements CommandRunner {
  /** Output beyond this is dropped: commands we run print a few lines, a runaway one must not exhaust memory. */
  private static final int MAX_OUTPUT_BYTES = 1 << 20;

  @Override
  public CommandResult run(Command command) throws CommandFailedException {
    Process process;
    try {
      process = new ProcessBuilder(command.argv()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
    } catch (IOException e) {
      throw new CommandFailedException(command, "could not start: " + e.getMessage());
    }
    CompletableFuture<String> stdout = drain(process.getInputStream());
    CompletableFuture<String> stderr = drain(process.getErrorStream());
    try {
      if (!process.waitFor(command.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        throw new CommandFailedException(command, "timed out after " + command.timeout().toSeconds() + "s");
      }
      return new CommandResult(command, process.exitValue(), stdout.get(), stderr.get());
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new CommandFailedException(command, "interrupted");
    } catch (ExecutionException e) {
      throw new CommandFailedException(command, "could not read output: " + e.getCause());
    }
  }

  private static CompletableFuture<String> drain(InputStream stream) {
    CompletableFuture<String> text = new CompletableFuture<>();
    Thread.ofVirtual().start(() -> {
      try (stream) {
        byte[] kept = stream.readNBytes(MAX_OUTPUT_BYTES);
        stream.transferTo(java.io.OutputStream.nullOutputStream());
        text.complete(new String(kept, StandardCharsets.UTF_8));
      } catch (IOException e) {
        text.completeExceptionally(e);
      }
    });
    return text;
  }
}
