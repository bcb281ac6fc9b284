package dev.lustrecsi.node.mount;

import dev.lustrecsi.common.exec.Command;
import dev.lustrecsi.common.exec.CommandResult;
import dev.lustrecsi.common.exec.CommandRunner;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/** Records command lines and answers each with a scripted result. */
final class RecordingRunner implements CommandRunner {
  final List<List<String>> commands = new CopyOnWriteArrayList<>();
  private final Function<Command, CommandResult> answer;

  RecordingRunner(Function<Command, CommandResult> answer) {
    this.answer = answer;
  }

  static RecordingRunner succeeding() {
    return new RecordingRunner(c -> new CommandResult(c, 0, "", ""));
  }

  @Override
  public CommandResult run(Command command) {
    commands.add(command.argv());
    return answer.apply(command);
  }
}
