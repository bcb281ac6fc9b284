package dev.lustrecsi.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.lustrecsi.controller.filesystem.DrainStatus;
import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus;
import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus.ServerStatus;
import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus.TargetStatus;
import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus.UpgradeStatus;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The fields and values of our own custom resources (deploy/crds/) that the docs name are ones the
 * resources have. Checked, and nothing else:
 * <ol>
 *   <li><b>Field paths in the prose</b>: a code span that is a whole path, {@code spec.x.y} or
 *       {@code status.x[].y} (optionally followed by {@code ": message"}, as an error quoted), must be a
 *       field of the resource its line names (LustreFilesystem, LustreVolume or LustreSnapshot, by
 *       kind); on a line naming none or several of them, a field of at least one. Paths of other
 *       kinds' objects are listed with their kind in {@link #OTHER_KINDS_FIELDS}.
 *   <li><b>{@code kubectl get R -o jsonpath='...'}</b> with R one of ours, in a command line or a
 *       code span: every path of the expression ({@code .status.targets[?(@.index==1)].drain}, the
 *       filter's {@code @.index}, and {@code .type} inside {@code {range .status.conditions[*]}})
 *       must be a field of R; the JSON object printed on the line after such a command (in a fenced
 *       block, one path per expression) must have only fields of that path, and values of
 *       enumerated fields from the set. Write an abbreviated output as <code>, ...}</code> at its end.
 *   <li><b>YAML blocks</b>: a document whose {@code kind:} is ours must have our apiVersion, and
 *       every key under {@code spec} and {@code status} must be a field, with a value from the set
 *       where the field is enumerated.
 *   <li><b>{@code kubectl get R} output</b> (in a fenced block, no {@code -o} or {@code -o wide}):
 *       its {@code NAME ...} header is NAME and R's printer columns, upper-cased as kubectl prints
 *       them; under a column whose field is enumerated, each row's cell (read where the header's
 *       word starts) is from the set. A {@code # A, B, C} comment on such a command lists R's
 *       columns exactly, in order.
 *   <li><b>A state's values in the prose</b>: after a span naming a path (e.g. {@code status.servers[]}),
 *       {@code FIELD (`A`, `B`; `C` ...)} lists values of that path's FIELD: each must be in the set.
 *   <li><b>{@code kubectl patch R --type merge -p '{...}'}</b> with R one of ours: every key is a
 *       field of R, with a value from the set where the field is enumerated.
 *   <li><b>A column described</b>: a sentence that starts with a printer column's header
 *       ({@code `FILL` is ...}) and names a path names the field the column shows.
 * </ol>
 * A field is enumerated when the CRD's schema says {@code enum}, or when the controller defines its
 * set ({@link #CODE_DEFINED_SETS}, from the status model's constants).
 *
 * <p>Deliberately not checked, because no exact rule tells which resource or field is meant, and a
 * fuzzy one would accuse the docs falsely: bare field names ({@code ostCount}, {@code fsName}, the
 * {@code committedBytes} after {@code status.usableBytes}), a column's header anywhere but at the
 * start of a sentence, states named in running prose ("the phase is {@code Ready}", "a server
 * {@code Failed}"), condition types and reasons (the code defines no set of them), and values in
 * tables (whose cells mix states with Lustre's own words).
 */
class DocsCrdFieldsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final YAMLMapper YAML = new YAMLMapper();

  /** Paths the docs name that belong to objects of other kinds, with the kind. */
  static final Map<String, String> OTHER_KINDS_FIELDS = Map.of(
      "spec.resources.requests.storage", "PersistentVolumeClaim",
      "spec.configuration.developerConfiguration.featureGates", "KubeVirt");

  /** The sets the controller's code defines for status fields whose schema is a plain string. */
  static final Map<String, Map<String, List<String>>> CODE_DEFINED_SETS = Map.of("LustreFilesystem", Map.of(
      "status.phase", LustreFilesystemStatus.PHASES,
      "status.health", LustreFilesystemStatus.HEALTHS,
      "status.servers[].state", ServerStatus.STATES,
      "status.targets[].state", TargetStatus.STATES,
      "status.targets[].drain.step", DrainStatus.STEPS,
      "status.upgrade.state", UpgradeStatus.STATES));

  private static final Pattern PROSE_PATH = Pattern.compile("^((?:spec|status)(?:\\.[a-z][A-Za-z0-9]*(?:\\[])?)+)(?:: .*)?$");
  private static final Pattern KUBECTL_GET = Pattern.compile("\\bkubectl\\b(.*?)\\sget\\s+([\\w.,-]+)(.*)$");
  private static final Pattern JSONPATH = Pattern.compile("-o\\s*=?\\s*jsonpath=(?:'([^']*)'|\"([^\"]*)\")");
  private static final Pattern OUTPUT_FLAG = Pattern.compile("(?:^|\\s)(?:-o|--output)[\\s=]*(\\S+)");
  private static final Pattern EXPRESSION = Pattern.compile("\\{([^{}]*)}");
  private static final Pattern FILTER_FIELD = Pattern.compile("@\\.([A-Za-z]\\w*)");
  private static final Pattern KIND_LINE = Pattern.compile("^kind:\\s*(\\w+)\\s*$", Pattern.MULTILINE);
  private static final Pattern VALUE_LIST = Pattern.compile("\\b([a-z][A-Za-z0-9]*) \\(((?:[^()`]|`[^`]*`)*)\\)");
  private static final Pattern SPAN = Pattern.compile("`([^`]+)`");
  private static final Pattern MERGE_PATCH = Pattern.compile("\\bkubectl\\b.*?\\spatch\\s+(\\S+)\\s.*--type[ =]merge.*\\s(?:-p|--patch)[ =]'([^']*)'");
  private static final Pattern COLUMN_SENTENCE = Pattern.compile("(?:^|\\.\\s)`([A-Z][A-Z ]*)` [^.]*?`((?:spec|status)\\.[^`]*)`");
  private static final Pattern COLUMN_SEPARATOR = Pattern.compile("\\s{2,}");

  private final OurCrds crds = OurCrds.read();

  @Test
  void everyFieldAndValueTheDocsNameIsInOurCrds() {
    List<String> problems = new ArrayList<>();
    Checked checked = new Checked();
    for (UserDocs.Page page : UserDocs.read().pages()) {
      problems.addAll(problems(page, checked));
    }
    assertThat(checked.paths).as("field paths of our resources the docs name").isGreaterThan(80);
    assertThat(checked.values).as("enumerated values the docs claim").isGreaterThan(20);
    assertThat(checked.headers).as("kubectl get outputs and column sentences checked").isGreaterThan(8);
    assertThat(problems).as("fields or values the docs name that our CRDs lack").isEmpty();
  }

  @Test
  void everyCodeDefinedSetIsForAFieldTheCrdHas() {
    CODE_DEFINED_SETS.forEach((kind, sets) -> sets.keySet().forEach(path ->
        assertThat(crds.byKind(kind).orElseThrow().has(path)).as("%s has %s", kind, path).isTrue()));
  }

  @Test
  void aFieldOrValueOurCrdsLackIsCaught() {
    UserDocs.Page page = UserDocs.parse("x.md", """
        Raise `spec.ostCount` of the LustreFilesystem, not `spec.ostCounts`.
        A LustreVolume's `spec.maxOsts`;
        `status.servers[].stat`, `spec.external.volumeRoot: "../up" must be empty` and a PVC's `spec.resources.requests.storage`.
        `status.servers[]`: name, state (`Pending`, `Booting`; `Removed` once gone).
        `kubectl get lustrefs fs1 -o jsonpath='{.status.targets[?(@.idx==1)].drain.steps}'`

        `UPGRADE` is the rollout's progress (`status.upgrade.state`). `FILL` is `status.fill`.

        ```sh
        kubectl -n lustre-csi get lustrefs fs1
        NAME   PHASE   OSTS   CAPACITY   USED   FILL   DRAINING   HEALTH    UPGRADE   AGE
        fs1    Ready   3      30 GiB     6 GiB  20%               Fine                40d
        fs2    Happy   3      30 GiB     6 GiB  20%               Healthy             40d
        kubectl get lustrevolumes           # Filesystem, Capacity, State, Age
        kubectl get lustresnapshots
        NAME   FILESYSTEM   SOURCE   SIZE   STATE   AGE
        kubectl get lustrefs fs1 -o jsonpath='{.status.targets[?(@.index==1)].drain}'
        {"filesLeft":3,"step":"Moving","bytes":1, ...}
        kubectl patch lustrefs fs1 --type merge -p '{"spec":{"drain":[1],"ostcount":2,"retention":"Keep"}}'
        kubectl get lustrefs fs1 -o jsonpath='{range .status.conditions[*]}{.typ}={.status}{"\\n"}{end}'
        ```

        ```yaml
        apiVersion: lustre.csi.lustrecsi.dev/v1
        kind: LustreFilesystem
        metadata: {name: lfs}
        spec:
          fsName: lfs
          retention: Keep
          external: {agentAddres: "h:1"}
        ```
        """);
    assertThat(problems(page, new Checked())).containsExactlyInAnyOrder(
        "x.md: LustreFilesystem has no spec.ostCounts",
        "x.md: LustreVolume has no spec.maxOsts",
        "x.md: no resource of ours has status.servers[].stat",
        "x.md: status.servers[].state Booting is none of " + ServerStatus.STATES,
        "x.md: LustreFilesystem has no status.targets[].idx",
        "x.md: LustreFilesystem has no status.targets[].drain.steps",
        "x.md: `kubectl get lustrefs` HEALTH Fine is none of " + LustreFilesystemStatus.HEALTHS,
        "x.md: `kubectl get lustrefs` PHASE Happy is none of " + LustreFilesystemStatus.PHASES,
        "x.md: `kubectl get lustrevolumes` lists [Filesystem, Capacity, State, Source, Age], not [Filesystem, Capacity, State, Age]",
        "x.md: `kubectl get lustresnapshots` prints [NAME, FILESYSTEM, SOURCE, LUSTRE SNAPSHOT, SIZE, STATE, AGE], not "
            + "[NAME, FILESYSTEM, SOURCE, SIZE, STATE, AGE]",
        "x.md: status.targets[].drain.step Moving is none of " + DrainStatus.STEPS,
        "x.md: LustreFilesystem has no status.targets[].drain.bytes",
        "x.md: LustreFilesystem has no status.conditions[].typ",
        "x.md: the column UPGRADE shows [.status.upgrade.progress], not .status.upgrade.state",
        "x.md: LustreFilesystem has no spec.ostcount",
        "x.md: spec.retention Keep is none of [Retain, Delete]",
        "x.md: LustreFilesystem's apiVersion is lustre.csi.lustrecsi.dev/v1alpha1, not lustre.csi.lustrecsi.dev/v1",
        "x.md: spec.retention Keep is none of [Retain, Delete]",
        "x.md: LustreFilesystem has no spec.external.agentAddres");
  }

  /** How much each rule found to check, so a rule that stops matching anything shows. */
  static final class Checked {
    int paths;
    int values;
    int headers;
  }

  List<String> problems(UserDocs.Page page, Checked checked) {
    List<String> problems = new ArrayList<>();
    proseLines(page, checked, problems);
    List<String> commands = new ArrayList<>();
    page.spans().forEach(span -> commands.add(span.text()));
    for (UserDocs.Block block : page.blocks()) {
      List<String> lines = List.of(block.text().split("\n", -1));
      for (int i = 0; i < lines.size(); i++) {
        Optional<Get> get = Get.of(lines.get(i));
        if (get.isEmpty()) {
          continue;
        }
        Optional<OurCrds.Crd> crd = crds.byResourceName(get.get().resource());
        if (crd.isEmpty()) {
          continue;
        }
        String next = i + 1 < lines.size() ? lines.get(i + 1) : "";
        if (get.get().jsonPath().isPresent()) {
          output(page.name(), crd.get(), get.get().jsonPath().get(), next, checked, problems);
        } else if (get.get().output().isEmpty() || get.get().output().get().equals("wide")) {
          columnsComment(page.name(), crd.get(), get.get(), checked, problems);
          if (next.startsWith("NAME ")) {
            table(page.name(), crd.get(), get.get().resource(), lines.subList(i + 1, lines.size()), checked, problems);
          }
        }
      }
    }
    commands.addAll(page.commandLines());
    for (String command : commands) {
      Matcher patch = MERGE_PATCH.matcher(command);
      if (patch.find()) {
        crds.byResourceName(patch.group(1)).ifPresent(crd -> mergePatch(page.name(), crd, patch.group(2), checked, problems));
      }
      Optional<Get> get = Get.of(command);
      if (get.isPresent() && get.get().jsonPath().isPresent()) {
        crds.byResourceName(get.get().resource()).ifPresent(crd -> {
          for (String path : jsonPaths(get.get().jsonPath().get())) {
            checked.paths++;
            if (!crd.has(path)) {
              problems.add(page.name() + ": " + crd.kind() + " has no " + path);
            }
          }
        });
      }
    }
    for (UserDocs.Block block : page.blocks()) {
      if (block.language().equals("yaml") || block.language().equals("yml")) {
        for (String document : block.text().split("(?m)^---\\s*$")) {
          yamlDocument(page.name(), document, checked, problems);
        }
      }
    }
    return problems;
  }

  /** Rules 1 and 5: the paths the prose spans name, and the values listed after them. */
  private void proseLines(UserDocs.Page page, Checked checked, List<String> problems) {
    for (String paragraph : paragraphs(page.proseLines())) {
      columnSentences(page.name(), paragraph, checked, problems);
      String lastPath = null;
      Matcher span = SPAN.matcher(paragraph);
      int listsFrom = 0;
      while (span.find()) {
        Matcher path = PROSE_PATH.matcher(span.group(1));
        if (!path.matches() || OTHER_KINDS_FIELDS.containsKey(path.group(1))) {
          continue;
        }
        if (lastPath != null) {
          valueLists(page.name(), lastPath, paragraph.substring(listsFrom, span.start()), checked, problems);
        }
        checked.paths++;
        String line = lineAround(paragraph, span.start());
        List<OurCrds.Crd> named = crds.crds().stream().filter(c -> Pattern.compile("\\b" + c.kind() + "\\b").matcher(line).find()).toList();
        if (named.size() == 1) {
          if (!named.getFirst().has(path.group(1))) {
            problems.add(page.name() + ": " + named.getFirst().kind() + " has no " + path.group(1));
          }
        } else if (crds.crds().stream().noneMatch(c -> c.has(path.group(1)))) {
          problems.add(page.name() + ": no resource of ours has " + path.group(1));
        }
        lastPath = path.group(1);
        listsFrom = span.end();
      }
      if (lastPath != null) {
        valueLists(page.name(), lastPath, paragraph.substring(listsFrom), checked, problems);
      }
    }
  }

  /** Rule 6: the keys of a merge patch are fields. */
  private void mergePatch(String page, OurCrds.Crd crd, String body, Checked checked, List<String> problems) {
    try {
      JsonNode patch = JSON.readTree(body);
      for (Iterator<Map.Entry<String, JsonNode>> top = patch.fields(); top.hasNext(); ) {
        Map.Entry<String, JsonNode> field = top.next();
        checked.paths++;
        if (!crd.has(field.getKey())) {
          problems.add(page + ": " + crd.kind() + " has no " + field.getKey());
        } else {
          fields(page, crd, field.getKey(), field.getValue(), checked, problems);
        }
      }
    } catch (JsonProcessingException e) {
      problems.add(page + ": a merge patch of " + crd.kind() + " that is not JSON: " + body);
    }
  }

  /** Rule 7: a sentence that starts with a column's header and names a path names the column's field. */
  private void columnSentences(String page, String paragraph, Checked checked, List<String> problems) {
    Matcher sentence = COLUMN_SENTENCE.matcher(paragraph);
    while (sentence.find()) {
      String header = sentence.group(1);
      List<OurCrds.Column> columns = crds.crds().stream().flatMap(c -> c.columns().stream())
          .filter(c -> c.name().toUpperCase(Locale.ROOT).equals(header)).toList();
      if (columns.isEmpty()) {
        continue;
      }
      checked.headers++;
      String path = sentence.group(2).replaceFirst("[:;,].*$", "");
      if (columns.stream().noneMatch(c -> c.jsonPath().equals("." + path))) {
        problems.add(page + ": the column " + header + " shows " + columns.stream().map(OurCrds.Column::jsonPath).distinct().toList()
            + ", not ." + path);
      }
    }
  }

  /** {@code FIELD (`A`, `B` ...)} after a span naming {@code path}: values of path.FIELD. */
  private void valueLists(String page, String path, String text, Checked checked, List<String> problems) {
    Matcher list = VALUE_LIST.matcher(text);
    while (list.find()) {
      String field = path + "." + list.group(1);
      for (OurCrds.Crd crd : crds.crds()) {
        Optional<List<String>> set = set(crd, field);
        if (set.isPresent()) {
          Matcher value = SPAN.matcher(list.group(2));
          while (value.find()) {
            checkValue(page, field, value.group(1), set.get(), checked, problems);
          }
        }
      }
    }
  }

  /** Rule 2's output: the JSON object printed for a one-path expression. */
  private void output(String page, OurCrds.Crd crd, String expression, String next, Checked checked, List<String> problems) {
    Matcher parts = EXPRESSION.matcher(expression);
    if (!next.startsWith("{") || !parts.find() || parts.find() || expression.contains("range")) {
      return;  // several paths print side by side, not as one object
    }
    List<String> paths = jsonPaths(expression);
    JsonNode printed;
    try {
      printed = JSON.readTree(next.replaceFirst(",\\s*\\.\\.\\.\\s*}$", "}"));
    } catch (JsonProcessingException e) {
      problems.add(page + ": the output of `" + expression + "` is not JSON (abbreviate it only with \", ...}\" at its end): " + next);
      return;
    }
    fields(page, crd, paths.getLast(), printed, checked, problems);
  }

  /** Rule 4: the header of {@code kubectl get}'s output, and its enumerated cells. */
  private void table(String page, OurCrds.Crd crd, String resource, List<String> lines, Checked checked, List<String> problems) {
    checked.headers++;
    String header = lines.getFirst();
    List<String> printed = List.of(COLUMN_SEPARATOR.split(header.strip()));
    List<String> expected = new ArrayList<>(List.of("NAME"));
    crd.columns().forEach(c -> expected.add(c.name().toUpperCase(Locale.ROOT)));
    if (!printed.equals(expected)) {
      problems.add(page + ": `kubectl get " + resource + "` prints " + expected + ", not " + printed);
      return;
    }
    for (OurCrds.Column column : crd.columns()) {
      Optional<List<String>> set = set(crd, column.jsonPath().substring(1));
      if (set.isEmpty()) {
        continue;
      }
      int at = headerOffset(header, column.name().toUpperCase(Locale.ROOT));
      for (String row : lines.subList(1, lines.size())) {
        if (row.isBlank() || row.strip().equals("...") || row.startsWith("kubectl ") || row.startsWith("#")) {
          break;  // the end of the output
        }
        if (row.length() <= at) {
          continue;
        }
        if (at > 0 && row.charAt(at - 1) != ' ') {
          problems.add(page + ": `kubectl get " + resource + "` row not aligned under " + column.name().toUpperCase(Locale.ROOT) + ": " + row);
          continue;
        }
        String cell = COLUMN_SEPARATOR.split(row.substring(at), 2)[0].strip();
        if (!cell.isEmpty()) {
          checkValue(page, "`kubectl get " + resource + "` " + column.name().toUpperCase(Locale.ROOT), cell, set.get(), checked, problems);
        }
      }
    }
  }

  private static int headerOffset(String header, String name) {
    Matcher word = Pattern.compile("(?<=\\s)" + Pattern.quote(name) + "(?=\\s|$)").matcher(header);
    return word.find() ? word.start() : -1;
  }

  /** Rule 4's comment: {@code # Filesystem, Capacity, ...} names the columns. */
  private static void columnsComment(String page, OurCrds.Crd crd, Get get, Checked checked, List<String> problems) {
    int hash = get.rest().indexOf('#');
    if (hash < 0 || !get.rest().substring(hash).contains(", ")) {
      return;
    }
    checked.headers++;
    List<String> listed = List.of(get.rest().substring(hash + 1).strip().split(",\\s*"));
    List<String> columns = crd.columns().stream().map(OurCrds.Column::name).toList();
    if (!listed.equals(columns)) {
      problems.add(page + ": `kubectl get " + get.resource() + "` lists " + columns + ", not " + listed);
    }
  }

  /** Rule 3: a YAML document of one of our kinds. */
  private void yamlDocument(String page, String document, Checked checked, List<String> problems) {
    Matcher kind = KIND_LINE.matcher(document);
    if (!kind.find() || crds.byKind(kind.group(1)).isEmpty()) {
      return;
    }
    OurCrds.Crd crd = crds.byKind(kind.group(1)).get();
    JsonNode tree;
    try {
      tree = YAML.readTree(document);
    } catch (IOException e) {
      problems.add(page + ": a " + crd.kind() + " that is not YAML: " + e.getMessage());
      return;
    }
    if (!crd.apiVersion().equals(tree.path("apiVersion").asText())) {
      problems.add(page + ": " + crd.kind() + "'s apiVersion is " + crd.apiVersion() + ", not " + tree.path("apiVersion").asText());
    }
    for (Iterator<Map.Entry<String, JsonNode>> top = tree.fields(); top.hasNext(); ) {
      Map.Entry<String, JsonNode> field = top.next();
      if (List.of("apiVersion", "kind", "metadata").contains(field.getKey())) {
        continue;
      }
      checked.paths++;
      if (!crd.has(field.getKey())) {
        problems.add(page + ": " + crd.kind() + " has no " + field.getKey());
      } else {
        fields(page, crd, field.getKey(), field.getValue(), checked, problems);
      }
    }
  }

  /** Every field of {@code value}, written at {@code path}, is one of the resource's, with a value from its set. */
  private void fields(String page, OurCrds.Crd crd, String path, JsonNode value, Checked checked, List<String> problems) {
    if (value.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> children = value.fields(); children.hasNext(); ) {
        Map.Entry<String, JsonNode> child = children.next();
        String childPath = path + "." + child.getKey();
        checked.paths++;
        if (!crd.has(childPath)) {
          problems.add(page + ": " + crd.kind() + " has no " + childPath);
        } else {
          fields(page, crd, childPath, child.getValue(), checked, problems);
        }
      }
    } else if (value.isArray()) {
      value.forEach(item -> fields(page, crd, path + "[]", item, checked, problems));
    } else if (value.isTextual()) {
      Optional<List<String>> set = set(crd, path);
      if (set.isPresent()) {
        checkValue(page, path, value.asText(), set.get(), checked, problems);
      }
    }
  }

  private static void checkValue(String page, String what, String value, List<String> set, Checked checked, List<String> problems) {
    checked.values++;
    if (!set.contains(value)) {
      problems.add(page + ": " + what + " " + value + " is none of " + set);
    }
  }

  /** The values a field takes, when its schema enumerates them or the code defines them. */
  static Optional<List<String>> set(OurCrds.Crd crd, String path) {
    List<String> coded = CODE_DEFINED_SETS.getOrDefault(crd.kind(), Map.of()).get(path);
    if (coded != null) {
      return Optional.of(coded);
    }
    return crd.field(path).filter(f -> f.has("enum")).map(f -> {
      List<String> values = new ArrayList<>();
      f.get("enum").forEach(v -> values.add(v.asText()));
      return values;
    });
  }

  /**
   * The field paths a jsonpath expression reads, as {@code status.targets[].drain}: filters and
   * {@code [*]} step into the items, a filter's {@code @.x} is a field of the items, and a path
   * inside {@code {range P}...{end}} is relative to P's items. Recursive descent ({@code ..}) is not read.
   */
  static List<String> jsonPaths(String expression) {
    List<String> paths = new ArrayList<>();
    Deque<String> ranges = new ArrayDeque<>();
    Matcher part = EXPRESSION.matcher(expression);
    while (part.find()) {
      String text = part.group(1).strip();
      if (text.equals("end")) {
        ranges.poll();
        continue;
      }
      boolean range = text.startsWith("range ");
      String path = range ? text.substring("range ".length()).strip() : text;
      if (!path.startsWith(".") || path.startsWith("..")) {
        continue;
      }
      String base = ranges.isEmpty() ? "" : ranges.peek() + ".";
      Matcher filter = Pattern.compile("\\[([^\\]]*)]").matcher(path);
      StringBuilder normalised = new StringBuilder();
      int from = 0;
      while (filter.find()) {
        normalised.append(path, from, filter.start()).append("[]");
        String owner = base + path.substring(1, filter.start()) + "[]";
        Matcher field = FILTER_FIELD.matcher(filter.group(1));
        while (field.find()) {
          paths.add(owner + "." + field.group(1));
        }
        from = filter.end();
      }
      normalised.append(path.substring(from));
      String full = base + normalised.substring(1);
      if (range) {
        ranges.push(full.endsWith("[]") ? full : full + "[]");
      }
      paths.add(full);
    }
    return paths;
  }

  /** {@code kubectl ... get RESOURCE ...}: the resource, the output format, and the rest of the line. */
  record Get(String resource, Optional<String> output, Optional<String> jsonPath, String rest) {
    static Optional<Get> of(String line) {
      Matcher get = KUBECTL_GET.matcher(line);
      if (!get.find() || get.group(2).contains(",")) {
        return Optional.empty();
      }
      String flags = get.group(1) + " " + get.group(3);
      Matcher json = JSONPATH.matcher(flags);
      Optional<String> jsonPath = json.find() ? Optional.of(json.group(1) != null ? json.group(1) : json.group(2)) : Optional.empty();
      String plain = flags.replaceAll("#.*$", "");
      Matcher output = OUTPUT_FLAG.matcher(plain);
      return Optional.of(new Get(get.group(2), output.find() ? Optional.of(output.group(1)) : Optional.empty(), jsonPath, get.group(3)));
    }
  }

  private static List<String> paragraphs(List<String> lines) {
    List<String> paragraphs = new ArrayList<>();
    StringBuilder paragraph = new StringBuilder();
    for (String line : lines) {
      if (line.isBlank()) {
        if (!paragraph.isEmpty()) {
          paragraphs.add(paragraph.toString());
          paragraph.setLength(0);
        }
      } else {
        paragraph.append(paragraph.isEmpty() ? "" : "\n").append(line);
      }
    }
    if (!paragraph.isEmpty()) {
      paragraphs.add(paragraph.toString());
    }
    return paragraphs;
  }

  private static String lineAround(String text, int at) {
    int start = text.lastIndexOf('\n', at) + 1;
    int end = text.indexOf('\n', at);
    return text.substring(start, end < 0 ? text.length() : end);
  }
}
