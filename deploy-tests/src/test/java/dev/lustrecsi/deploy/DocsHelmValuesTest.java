package dev.lustrecsi.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every Helm value the docs name is one the chart's values.yaml has: in the prose
 * (`node.lnet.interface`, and `.port` after a value of the same line), after `--set`, and in a
 * YAML block of values (one whose keys are the chart's top-level ones).
 */
class DocsHelmValuesTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /**
   * A dotted value under one of the chart's top-level keys. Not part of a path or file name
   * (`DIR/controller.sock`, `node.md`), nor of a Java name (`node.metrics.NodeMetrics`).
   */
  private static Pattern valuePath(JsonNode values) {
    List<String> tops = new ArrayList<>();
    values.fieldNames().forEachRemaining(tops::add);
    return Pattern.compile("(?<![\\w/.-])((?:" + String.join("|", tops) + ")(?:\\.[a-z][A-Za-z0-9]*)+)(?![\\w.-])");
  }

  private static final Pattern RELATIVE = Pattern.compile("^\\.([a-z][A-Za-z0-9]*)$");
  private static final Pattern SET = Pattern.compile("--set\\s+([\\w.]+)=");
  private static final List<String> FILE_NAMES = List.of(".md", ".sock", ".aot", ".yaml", ".json", ".txt");

  @Test
  void everyValueTheDocsNameIsInValuesYaml() {
    JsonNode values = chartValues();
    List<String> problems = new ArrayList<>();
    int checked = 0;
    for (UserDocs.Page page : UserDocs.read().pages()) {
      List<String> named = named(page, values);
      checked += named.size();
      for (String path : named) {
        if (!exists(values, path)) {
          problems.add(page.name() + ": " + path);
        }
      }
    }
    assertThat(checked).as("Helm values named in the docs").isGreaterThan(25);
    assertThat(problems).as("values the docs name that values.yaml lacks").isEmpty();
  }

  @Test
  void aValueValuesYamlLacksIsCaught() {
    JsonNode values = chartValues();
    UserDocs.Page page = UserDocs.parse("x.md", """
        Set `controller.metrics.enabled`, `.prot` and `node.lnet.iface` (see `node.md`, `DIR/controller.sock`,
        `node.metrics.NodeMetrics`); `helm install ... --set servers.storageCIDR=10.1.0.0/24`.

        ```yaml
        monitoring:
          alerts:
            enabled: true
            labels: {release: prometheus}
          dashbaord:
            enabled: true
        ```
        """);
    assertThat(named(page, values)).containsExactly("controller.metrics.enabled", "controller.metrics.prot",
        "node.lnet.iface", "servers.storageCIDR", "monitoring.alerts.enabled", "monitoring.alerts.labels.release",
        "monitoring.dashbaord.enabled");
    assertThat(named(page, values).stream().filter(p -> !exists(values, p)))
        .containsExactly("controller.metrics.prot", "node.lnet.iface", "servers.storageCIDR", "monitoring.dashbaord.enabled");
  }

  /** The value paths a page names, in the order it names them. */
  static List<String> named(UserDocs.Page page, JsonNode values) {
    Pattern valuePath = valuePath(values);
    List<String> named = new ArrayList<>();
    String lastOfLine = null;
    String line = null;
    for (UserDocs.Span span : page.spans()) {
      if (!span.line().equals(line)) {
        line = span.line();
        lastOfLine = null;
      }
      Matcher relative = RELATIVE.matcher(span.text());
      if (relative.find() && lastOfLine != null) {
        named.add(lastOfLine.substring(0, lastOfLine.lastIndexOf('.') + 1) + relative.group(1));
        continue;
      }
      Matcher path = valuePath.matcher(span.text());
      while (path.find()) {
        if (FILE_NAMES.stream().noneMatch(path.group(1)::endsWith)) {
          named.add(path.group(1));
          lastOfLine = path.group(1);
        }
      }
      Matcher set = SET.matcher(span.text());
      while (set.find()) {
        if (!named.contains(set.group(1))) {
          named.add(set.group(1));
        }
      }
    }
    for (String command : page.commandLines()) {
      Matcher set = SET.matcher(command);
      while (set.find()) {
        named.add(set.group(1));
      }
    }
    for (UserDocs.Block block : page.blocks()) {
      if (block.language().equals("yaml")) {
        JsonNode tree = readYaml(block.text());
        if (tree != null && tree.isObject() && tree.size() > 0 && allFieldsIn(tree, values)) {
          leaves(tree, "", named);
        }
      }
    }
    return named;
  }

  /**
   * Whether values.yaml has the path. Below a map that is empty there (labels, nodeSelector) or a
   * list (storageClasses), any key is the user's own.
   */
  static boolean exists(JsonNode values, String path) {
    JsonNode node = values;
    for (String key : path.split("\\.")) {
      if ((node.isObject() && node.isEmpty()) || node.isArray()) {
        return true;
      }
      if (!node.isObject() || !node.has(key)) {
        return false;
      }
      node = node.get(key);
    }
    return true;
  }

  private static boolean allFieldsIn(JsonNode tree, JsonNode values) {
    for (Iterator<String> names = tree.fieldNames(); names.hasNext(); ) {
      if (!values.has(names.next())) {
        return false;
      }
    }
    return true;
  }

  private static void leaves(JsonNode tree, String prefix, List<String> into) {
    for (Iterator<Map.Entry<String, JsonNode>> fields = tree.fields(); fields.hasNext(); ) {
      Map.Entry<String, JsonNode> field = fields.next();
      String path = prefix + field.getKey();
      if (field.getValue().isObject() && field.getValue().size() > 0) {
        leaves(field.getValue(), path + ".", into);
      } else {
        into.add(path);
      }
    }
  }

  private static JsonNode readYaml(String text) {
    try {
      return YAML.readTree(text);
    } catch (IOException e) {
      return null;  // a block of several documents: a manifest, never a values file
    }
  }

  static JsonNode chartValues() {
    try {
      return YAML.readTree(RepoLayout.chart().resolve("values.yaml").toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
