package dev.lustrecsi.agent.service;

import dev.lustrecsi.common.exec.Command;
import dev.lustrecsi.common.exec.CommandFailedException;
import dev.lustrecsi.common.exec.CommandResult;
import dev.lustrecsi.common.exec.CommandRunner;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** Answers command lines from a script (exit code, stdout, stderr) and records every command it ran. */
final class ScriptedRunner implements CommandRunner {
  record Answer(int exitCode, String stdout, String stderr) {}

  final List<List<String>> commands = new CopyOnWriteArrayList<>();
  private final Map<List<String>, Answer> script = new ConcurrentHashMap<>();
  private final Map<List<String>, String> hangs = new ConcurrentHashMap<>();
  private final Map<List<String>, java.time.Duration> delays = new ConcurrentHashMap<>();

  ScriptedRunner answer(List<String> argv, int exitCode, String stdout, String stderr) {
    script.put(argv, new Answer(exitCode, stdout, stderr));
    return this;
  }

  ScriptedRunner answer(List<String> argv, String stdout) {
    return answer(argv, 0, stdout, "");
  }

  ScriptedRunner hang(List<String> argv) {
    hangs.put(argv, "timed out");
    return this;
  }

  /** The command takes this long before it answers, as lfs find does over a large namespace. */
  ScriptedRunner slow(List<String> argv, java.time.Duration delay) {
    delays.put(argv, delay);
    return this;
  }

  @Override
  public CommandResult run(Command command) throws CommandFailedException {
    commands.add(command.argv());
    if (hangs.containsKey(command.argv())) {
      throw new CommandFailedException(command, "timed out after " + command.timeout().toSeconds() + "s");
    }
    java.time.Duration delay = delays.get(command.argv());
    if (delay != null) {
      try {
        Thread.sleep(delay);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    // Commands that change state print nothing on success (lfs_setstripe_d.txt, lfs_setquota_p.txt are empty).
    Answer answer = script.getOrDefault(command.argv(), new Answer(0, "", ""));
    return new CommandResult(command, answer.exitCode(), answer.stdout(), answer.stderr());
  }
}
