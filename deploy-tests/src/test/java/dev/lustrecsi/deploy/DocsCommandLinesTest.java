package dev.lustrecsi.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lustrecsi.cli.LustreCsi;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * What the docs tell a reader to type into `lustre-csi` is what the launcher accepts: every
 * subcommand exists, and every flag exists on it (checked against picocli's own model of the
 * launcher). A flag named alone in the prose (`--lnet-interface`) must be one of some subcommand's,
 * unless it is another tool's, listed below with the tool.
 */
class DocsCommandLinesTest {
  /** Flags the docs name alone that belong to other programs, with the program. */
  static final Map<String, String> OTHER_TOOLS_FLAGS = Map.of(
      "--extra-create-metadata", "csi-provisioner",
      "--feature-gates", "csi-provisioner",
      "--register-with-taints", "kubelet",
      "--set", "helm",
      "--force", "kubectl delete (a VMI or pod deleted by force)",
      "--delete", "lfs setquota",
      "--reformat", "mkfs.lustre");

  /** `lustre-csi SUBCOMMAND ...` where a command starts: at the start of a line or span, after `sudo`, or as bin/lustre-csi. */
  private static final Pattern INVOCATION = Pattern.compile("(?:^\\s*(?:sudo\\s+)?|(?<![\\w/.-])bin/)lustre-csi((?:\\s+\\S+)*)");
  private static final Pattern FLAG = Pattern.compile("^\\[?(--?[A-Za-z][\\w-]*)");

  @Test
  void everyLauncherCommandLineInTheDocsIsOneItAccepts() {
    List<String> problems = new ArrayList<>();
    int checked = 0;
    for (UserDocs.Page page : UserDocs.read().pages()) {
      List<String> commands = new ArrayList<>(page.commandLines());
      page.spans().forEach(span -> commands.add(span.text()));
      for (String command : commands) {
        Matcher invocation = INVOCATION.matcher(command);
        if (invocation.find()) {
          checked++;
          problems.addAll(problems(page.name(), invocation.group(1).strip()));
        }
      }
    }
    assertThat(checked).as("lustre-csi command lines in the docs").isGreaterThan(5);
    assertThat(problems).isEmpty();
  }

  @Test
  void everyFlagTheProseNamesAloneIsTheLaunchersOrAnotherToolsListedHere() {
    List<String> problems = new ArrayList<>();
    int checked = 0;
    for (UserDocs.Page page : UserDocs.read().pages()) {
      for (UserDocs.Span span : page.spans()) {
        Matcher flag = FLAG.matcher(span.text());
        if (span.text().startsWith("--") && flag.find()) {
          checked++;
          problems.addAll(proseFlagProblems(page.name(), flag.group(1)));
        }
      }
    }
    assertThat(checked).as("flags named alone in the docs").isGreaterThan(20);
    assertThat(problems).isEmpty();
  }

  @Test
  void aSubcommandOrFlagTheLauncherLacksIsCaught() {
    assertThat(problems("quickstart.md", "demo --state-dir /tmp/x --verbose")).isEmpty();
    assertThat(problems("sandbox.md", "sandbox --state-dir /tmp/x --no-such-flag 1"))
        .containsExactly("sandbox.md: `lustre-csi sandbox` has no --no-such-flag");
    assertThat(problems("sandbox.md", "bench --controller-endpoint=unix:///x --site-filesystem lab"))
        .as("a flag of another subcommand").containsExactly("sandbox.md: `lustre-csi bench` has no --site-filesystem");
    assertThat(problems("sandbox.md", "sandbx --state-dir /tmp/x")).containsExactly("sandbox.md: `lustre-csi` has no subcommand sandbx");
    assertThat(proseFlagProblems("node.md", "--lnet-interface")).isEmpty();
    assertThat(proseFlagProblems("node.md", "--lnet-iface"))
        .containsExactly("node.md: --lnet-iface is no option of any lustre-csi subcommand, nor in OTHER_TOOLS_FLAGS");
  }

  /** What is wrong with `lustre-csi ARGS` as a page writes it; empty when the launcher accepts its flags. */
  static List<String> problems(String page, String args) {
    CommandLine launcher = new CommandLine(new LustreCsi());
    List<String> tokens = args.isEmpty() ? List.of() : List.of(args.split("\\s+"));
    CommandSpec spec = launcher.getCommandSpec();
    String name = "lustre-csi";
    int first = 0;
    if (!tokens.isEmpty() && !tokens.getFirst().startsWith("-")) {
      CommandLine sub = launcher.getSubcommands().get(tokens.getFirst());
      if (sub == null) {
        return List.of(page + ": `lustre-csi` has no subcommand " + tokens.getFirst());
      }
      spec = sub.getCommandSpec();
      name += " " + tokens.getFirst();
      first = 1;
    }
    List<String> problems = new ArrayList<>();
    for (String token : tokens.subList(first, tokens.size())) {
      Matcher flag = FLAG.matcher(token);
      if (flag.find() && spec.findOption(flag.group(1)) == null) {
        problems.add(page + ": `" + name + "` has no " + flag.group(1));
      }
    }
    return problems;
  }

  static List<String> proseFlagProblems(String page, String flag) {
    if (OTHER_TOOLS_FLAGS.containsKey(flag)) {
      return List.of();
    }
    CommandLine launcher = new CommandLine(new LustreCsi());
    boolean known = launcher.getCommandSpec().findOption(flag) != null
        || launcher.getSubcommands().values().stream().anyMatch(sub -> sub.getCommandSpec().findOption(flag) != null);
    return known ? List.of() : List.of(page + ": " + flag + " is no option of any lustre-csi subcommand, nor in OTHER_TOOLS_FLAGS");
  }
}
