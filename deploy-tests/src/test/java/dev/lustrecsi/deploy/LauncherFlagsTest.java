package dev.lustrecsi.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lustrecsi.cli.LustreCsi;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The command lines the chart gives our containers must be ones the launcher accepts: every flag
 * exists on the subcommand (checked against picocli's own model of `lustre-csi`), flags that take
 * a value get one, and every required option is passed.
 */
class LauncherFlagsTest {
  /** Our containers and the launcher subcommand each runs. */
  static final Map<String, String> SUBCOMMAND_OF_CONTAINER = Map.of("lustre-controller", "controller",
      "lustre-node", "node");

  /** Values that add flags of their own, by label. */
  static final Map<String, Map<String, Object>> SETS = Map.of(
      "verbose", Map.of("controller.verbose", true, "node.verbose", true),
      "lnet interface", Map.of("node.lnet.interface", "bond0.100"));

  static Stream<Arguments> renders() {
    List<Arguments> renders = new ArrayList<>(ValuesFiles.defaultsAndExamples().toList());
    SETS.keySet().stream().sorted().forEach(label -> renders.add(Arguments.of(label, null)));
    return renders.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("renders")
  void everyFlagTheChartPassesExistsInTheLauncher(String label, Path valuesFile) {
    Rendered rendered = ChartRenderer.render(valuesFile, SETS.getOrDefault(label, Map.of()));
    List<String> problems = new ArrayList<>();
    for (Container container : ourContainers(rendered)) {
      problems.addAll(problems(container));
    }
    assertThat(problems).as("command lines of our containers").isEmpty();
  }

  @Test
  void aFlagTheLauncherLacksIsCaught() {
    Container container = new Container();
    container.setName("lustre-node");
    container.setArgs(List.of("node", "--endpoint", "unix:///csi/csi.sock", "--no-such-flag"));
    assertThat(problems(container)).containsExactly("node: --no-such-flag is not an option of `lustre-csi node`");
  }

  @Test
  void aFlagWithoutItsValueIsCaught() {
    Container container = new Container();
    container.setName("lustre-node");
    container.setArgs(List.of("node", "--node-id", "--endpoint", "unix:///csi/csi.sock"));
    assertThat(problems(container)).containsExactly("node: --node-id needs a value");
  }

  private static List<Container> ourContainers(Rendered rendered) {
    List<PodSpec> pods = List.of(rendered.one(Deployment.class).getSpec().getTemplate().getSpec(),
        rendered.one(DaemonSet.class).getSpec().getTemplate().getSpec());
    List<Container> ours = pods.stream().flatMap(p -> p.getContainers().stream())
        .filter(c -> SUBCOMMAND_OF_CONTAINER.containsKey(c.getName())).toList();
    assertThat(ours).extracting(Container::getName).containsExactlyInAnyOrderElementsOf(SUBCOMMAND_OF_CONTAINER.keySet());
    return ours;
  }

  /** What is wrong with a container's command line, as messages; empty when the launcher accepts it. */
  static List<String> problems(Container container) {
    List<String> args = container.getArgs();
    String sub = SUBCOMMAND_OF_CONTAINER.get(container.getName());
    List<String> problems = new ArrayList<>();
    if (args.isEmpty() || !args.getFirst().equals(sub)) {
      return List.of(container.getName() + ": first argument must be the subcommand `" + sub + "`, got " + args);
    }
    CommandSpec spec = subcommand(sub);
    Set<String> passed = new LinkedHashSet<>();
    for (int i = 1; i < args.size(); i++) {
      String arg = args.get(i);
      if (!arg.startsWith("-")) {
        problems.add(sub + ": `" + arg + "` is not the value of any flag");
        continue;
      }
      String flag = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
      passed.add(flag);
      OptionSpec option = spec.findOption(flag);
      if (option == null) {
        problems.add(sub + ": " + flag + " is not an option of `lustre-csi " + sub + "`");
        // Its value, if any, follows it: skip that too, so it is not reported a second time.
        if (!arg.contains("=") && i + 1 < args.size() && !args.get(i + 1).startsWith("-")) {
          i++;
        }
        continue;
      }
      boolean takesValue = option.arity().min() > 0;
      if (takesValue && !arg.contains("=")) {
        if (i + 1 >= args.size() || args.get(i + 1).startsWith("--")) {
          problems.add(sub + ": " + flag + " needs a value");
        } else {
          i++;
        }
      }
    }
    for (OptionSpec option : spec.options()) {
      boolean given = Stream.of(option.names()).anyMatch(passed::contains);
      if (option.required() && !given) {
        problems.add(sub + ": required option " + option.longestName() + " is not passed");
      }
    }
    return problems;
  }

  private static CommandSpec subcommand(String name) {
    CommandLine sub = new CommandLine(new LustreCsi()).getSubcommands().get(name);
    if (sub == null) {
      throw new AssertionError("the launcher has no subcommand " + name);
    }
    return sub.getCommandSpec();
  }
}
