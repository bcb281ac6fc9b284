package dev.lustrecsi.cli;

import dev.lustrecsi.common.identity.PluginInfo;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The launcher: one jar, one subcommand per role. */
@Command(
    name = "lustre-csi",
    mixinStandardHelpOptions = true,
    versionProvider = LustreCsi.Version.class,
    description = "Lustre CSI driver: provisions Lustre volumes and mounts them into pods.",
    subcommands = {ControllerCommand.class, NodeCommand.class, AgentCommand.class, AgentCertificateCommand.class, SandboxCommand.class, DemoCommand.class, BenchCommand.class})
public final class LustreCsi implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /** Runs a command line and returns its exit code (tests call this). */
  public static int execute(String... args) {
    if (args.length > 0 && args[0].equals("node")) {
      String[] options = java.util.Arrays.copyOfRange(args, 1, args.length);
      NodeCommand node = new NodeCommand();
      if (QuickOptions.fill(node, options)) {
        try {
          return node.call();
        } catch (CommandLine.ParameterException e) {
          // A value the command itself refuses: picocli reports it with the usage, as for any other.
        } catch (Exception e) {
          e.printStackTrace();  // what picocli does with an exception from a command
          return CommandLine.ExitCode.SOFTWARE;
        }
      }
    }
    if (args.length > 0 && (args[0].equals("node") || args[0].equals("agent"))) {
      // The roles that run on every node and in every server VM build only their own command:
      // picocli reading every subcommand's options costs the interpreted node plugin about half
      // a second of start-up.
      CommandLine single = new CommandLine(args[0].equals("node") ? new NodeCommand() : new AgentCommand());
      single.setCommandName("lustre-csi " + args[0]);
      return single.execute(java.util.Arrays.copyOfRange(args, 1, args.length));
    }
    return new CommandLine(new LustreCsi()).execute(args);
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      PluginInfo info = PluginInfo.current();
      return new String[] {info.driverName() + " " + info.version()};
    }
  }
}
