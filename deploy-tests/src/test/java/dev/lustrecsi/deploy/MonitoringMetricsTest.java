package dev.lustrecsi.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import csi.v1.CapacityRange;
import csi.v1.ControllerGrpc;
import csi.v1.CreateVolumeRequest;
import csi.v1.NodeGrpc;
import csi.v1.NodeStageVolumeRequest;
import csi.v1.Volume;
import csi.v1.VolumeCapability;
import dev.lustrecsi.common.grpc.UnixSockets;
import dev.lustrecsi.common.metrics.Scrape;
import dev.lustrecsi.controller.metrics.ControllerMetrics;
import dev.lustrecsi.sandbox.Sandbox;
import dev.lustrecsi.sandbox.co.CoRetry;
import io.fabric8.kubernetes.api.model.ConfigMap;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every metric the Grafana dashboard and the alerting rules query is one the driver exports. Both
 * are read from the chart as Helm renders it; the exported names are what the running components serve:
 * a sandbox (the production controller, node plugin and agents) provisions and stages a volume,
 * then each component's /metrics is scraped over HTTP.
 */
class MonitoringMetricsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  static Set<String> exported = new TreeSet<>();

  @BeforeAll
  static void scrapeEveryComponentOfARunningSandbox() throws Exception {
    VolumeCapability mount = VolumeCapability.newBuilder().setMount(VolumeCapability.MountVolume.getDefaultInstance())
        .setAccessMode(VolumeCapability.AccessMode.newBuilder().setMode(VolumeCapability.AccessMode.Mode.MULTI_NODE_MULTI_WRITER)).build();
    try (Sandbox sandbox = Sandbox.start(dir);
        UnixSockets.Client c = UnixSockets.connect(sandbox.controllerEndpoint());
        UnixSockets.Client n = UnixSockets.connect(sandbox.nodeEndpoint())) {
      CreateVolumeRequest create = CreateVolumeRequest.newBuilder().setName("pvc-dash")
          .setCapacityRange(CapacityRange.newBuilder().setRequiredBytes(1L << 30)).addVolumeCapabilities(mount)
          .putAllParameters(Map.of("fsName", "dash", "ostSize", "4Gi")).build();
      Volume volume = CoRetry.DEFAULT.call(() -> ControllerGrpc.newBlockingStub(c.channel()).createVolume(create)).getVolume();
      Path staging = sandbox.kubeletDir().resolve("staging/pvc-dash");
      NodeGrpc.newBlockingStub(n.channel()).nodeStageVolume(NodeStageVolumeRequest.newBuilder().setVolumeId(volume.getVolumeId())
          .setStagingTargetPath(staging.toString()).setVolumeCapability(mount).putAllVolumeContext(volume.getVolumeContextMap()).build());
      Files.writeString(staging.resolve("data"), "x");
      sandbox.controllerMetrics().sampleVolumes();
      assertThat(sandbox.metrics()).containsKeys("controller", "node", "dash-mgs", "dash-mds0", "dash-oss0");
      for (URI endpoint : sandbox.metrics().values()) {
        exported.addAll(Scrape.of(endpoint).names());
      }
    } finally {
      Sandbox.unmountAllUnder(dir);
    }
  }

  @AfterAll
  static void leaveNoMounts() {
    Sandbox.unmountAllUnder(dir);
  }

  @Test
  void everyMetricTheDashboardQueriesIsOneTheDriverExports() throws Exception {
    Set<String> queried = queriedMetrics(renderedDashboard());
    assertThat(queried).as("metrics the dashboard queries").hasSizeGreaterThan(15)
        .contains("lustre_csi_filesystem_used_bytes", "lustre_csi_ost_used_bytes", "lustre_csi_call_duration_seconds_bucket",
            "lustre_csi_target_state", "lustre_csi_agent_command_duration_seconds_bucket", "lustre_csi_node_filesystem_healthy",
            "lustre_csi_ost_drain_files_left", "lustre_csi_filesystem_upgrade_servers_done", "lustre_csi_abandoned_volumes_withdrawn_total",
            "lustre_csi_abandoned_snapshots_withdrawn_total");
    assertThat(missing(queried)).as("metrics the dashboard queries that no component exports").isEmpty();
  }

  @Test
  void everyMetricAnAlertQueriesIsOneTheDriverExports() {
    Set<String> queried = new TreeSet<>();
    for (JsonNode rule : alertRules()) {
      queried.addAll(PromQl.metricNames(rule.path("expr").asText()));
    }
    assertThat(queried).as("metrics the alerts query").hasSizeGreaterThan(10)
        .contains("lustre_csi_filesystem_phase", "lustre_csi_target_state", "lustre_csi_node_filesystem_healthy");
    assertThat(missing(queried)).as("metrics the alerts query that no component exports").isEmpty();
  }

  @Test
  void everyLabelAnAlertNamesIsOneItsQueryKeeps() {
    for (JsonNode rule : alertRules()) {
      assertThat(labelsNamedButDropped(rule)).as("labels %s names that its query drops", rule.path("alert").asText()).isEmpty();
    }
  }

  /**
   * An fsname with upper case or '_' is not a Kubernetes name, so its LustreFilesystem object has
   * another name: an alert that sends the reader to the object names it by the object's name.
   */
  @Test
  void anAlertSendingTheReaderToTheLustreFilesystemNamesItsObject() {
    List<String> sending = new ArrayList<>();
    for (JsonNode rule : alertRules()) {
      String annotations = rule.path("annotations").toString();
      if (annotations.contains("lustrefs") || annotations.contains("spec.")) {
        sending.add(rule.path("alert").asText());
        assertThat(annotations).as(rule.path("alert").asText()).contains("$labels.lustrefilesystem")
            .doesNotContain("lustrefs {{ $labels.filesystem");
        assertThat(PromQl.metricNames(rule.path("expr").asText())).as(rule.path("alert").asText())
            .contains(ControllerMetrics.FILESYSTEM_OBJECT);
      }
    }
    assertThat(sending).contains("LustreFilesystemFailed", "LustreFilesystemDegraded", "LustreGrowthLimitNear");
  }

  /** A rolling upgrade takes each server's targets down on purpose; the alerts wait for it to stall. */
  @Test
  void theServerAnUpgradeIsReplacingDoesNotPageUntilTheUpgradeStalls() {
    for (JsonNode rule : alertRules()) {
      if (List.of("LustreTargetDown", "LustreFilesystemDegraded").contains(rule.path("alert").asText())) {
        assertThat(rule.path("expr").asText()).as(rule.path("alert").asText())
            .containsPattern("unless on \\(filesystem(, server)?\\) \\(" + ControllerMetrics.SERVER_UPGRADING + " == 1\\)");
      }
    }
  }

  @Test
  void anAlertNamingALabelItsQueryDropsIsCaught() throws Exception {
    JsonNode rule = JSON.readTree("""
        {"alert": "LustreX", "expr": "max by (filesystem) (lustre_csi_target_state{state=\\"Down\\"}) == 1",
         "annotations": {"summary": "{{ $labels.target }} of {{ $labels.filesystem }} is down"}}""");
    assertThat(labelsNamedButDropped(rule)).containsExactly("target");
    JsonNode joined = JSON.readTree("""
        {"alert": "LustreX", "expr": "(max by (filesystem) (lustre_csi_filesystem_phase) == 1) * on (filesystem) group_left (lustrefilesystem) lustre_csi_filesystem_object",
         "annotations": {"summary": "kubectl get lustrefs {{ $labels.lustrefilesystem }}; {{ $labels.server }}"}}""");
    assertThat(labelsNamedButDropped(joined)).as("group_left brings its labels in").containsExactly("server");
  }

  /** The labels a rule's annotations name that no {@code by (...)} of its expression keeps, nor a {@code group_left (...)} joins in. */
  private static Set<String> labelsNamedButDropped(JsonNode rule) {
    Set<String> named = new TreeSet<>();
    Matcher label = LABEL_REFERENCE.matcher(rule.path("annotations").toString());
    while (label.find()) {
      named.add(label.group(1));
    }
    Matcher by = BY.matcher(rule.path("expr").asText());
    while (by.find()) {
      for (String kept : by.group(1).split(",")) {
        named.remove(kept.strip());
      }
    }
    return named;
  }

  @Test
  void aDashboardQueryingAMetricNoComponentExportsIsCaught() throws Exception {
    JsonNode dashboard = renderedDashboard();
    ObjectNode panel = ((ArrayNode) dashboard.get("panels")).addObject();
    panel.putArray("targets").addObject().put("expr", "sum(rate(lustre_csi_volume_writes_total{filesystem=~\"$filesystem\"}[5m]))");
    assertThat(missing(queriedMetrics(dashboard))).containsExactly("lustre_csi_volume_writes_total");
  }

  @Test
  void metricNamesAreReadFromPromqlAsPrometheusWould() {
    assertThat(PromQl.metricNames("histogram_quantile(0.99, sum by (le, method) (rate(lustre_csi_call_duration_seconds_bucket"
        + "{method!=\"Probe\"}[$__rate_interval])))")).containsExactly("lustre_csi_call_duration_seconds_bucket");
    assertThat(PromQl.metricNames("count(lustre_csi_node_ready == 0) or vector(0)")).containsExactly("lustre_csi_node_ready");
    assertThat(PromQl.metricNames("max by (filesystem) (a / b{x=\"by (c)\"}) - min without (ost) (d offset 1h) > 1e9"))
        .containsExactly("a", "b", "d");
    assertThat(PromQl.variableMetricNames("label_values(lustre_csi_filesystem_capacity_bytes, filesystem)"))
        .containsExactly("lustre_csi_filesystem_capacity_bytes");
  }

  private static final Pattern METRIC_NAME = Pattern.compile("\\blustre_csi_\\w+");
  private static final Pattern HISTOGRAM_SERIES = Pattern.compile("_(bucket|count|sum|created)$");
  private static final Pattern ALERT_ROW = Pattern.compile("^\\| `(Lustre\\w+)` \\|", Pattern.MULTILINE);

  /** A reader greps for, alerts on and graphs what the docs name: each one is served. */
  @Test
  void everyMetricTheDocsNameIsOneTheDriverExports() {
    Set<String> problems = new TreeSet<>();
    int checked = 0;
    for (UserDocs.Page page : UserDocs.read().pages()) {
      for (String name : metricNames(page.text())) {
        checked++;
        if (!servedOrFamily(name)) {
          problems.add(page.name() + ": " + name);
        }
      }
    }
    assertThat(checked).as("metric names in the docs").isGreaterThan(30);
    assertThat(problems).as("metrics the docs name that no component exports (a prefix ends in _)").isEmpty();
  }

  /** operations.md is where an admin looks a metric up: every one a component serves is there. */
  @Test
  void everyMetricTheDriverExportsIsDescribedInOperations() {
    Set<String> described = metricNames(operations().text());
    Set<String> undescribed = new TreeSet<>();
    for (String name : exported) {
      String family = HISTOGRAM_SERIES.matcher(name).replaceFirst("");
      if (name.startsWith("lustre_csi_") && !described.contains(name) && !described.contains(family)) {
        undescribed.add(name);
      }
    }
    assertThat(undescribed).as("metrics served that operations.md does not describe").isEmpty();
  }

  /** The alert table of operations.md lists every alert the chart installs, and no other. */
  @Test
  void theAlertTableOfOperationsListsEveryAlertAndNoOther() {
    Set<String> installed = new TreeSet<>();
    alertRules().forEach(rule -> installed.add(rule.path("alert").asText()));
    assertThat(alertTable(operations().text())).as("alerts in operations.md's table").isEqualTo(installed);
  }

  @Test
  void aMetricOrAlertTheDriverLacksIsCaught() {
    assertThat(metricNames("`curl ... | grep '^lustre_csi_filesystem_'`, `lustre_csi_node_ready`, lustre_csi_volume_quota"))
        .containsExactly("lustre_csi_filesystem_", "lustre_csi_node_ready", "lustre_csi_volume_quota");
    assertThat(servedOrFamily("lustre_csi_filesystem_")).isTrue();
    assertThat(servedOrFamily("lustre_csi_call_duration_seconds")).as("a histogram by its family").isTrue();
    assertThat(servedOrFamily("lustre_csi_volume_quota")).as("not a prefix unless it ends in _").isFalse();
    assertThat(servedOrFamily("lustre_csi_node_lnet_up")).isFalse();
    assertThat(alertTable("| alert | severity |\n| `LustreTargetDown` | critical |\n| `LustreDiskGone` | warning |\n"))
        .containsExactly("LustreDiskGone", "LustreTargetDown");
  }

  private static Set<String> metricNames(String text) {
    Set<String> names = new TreeSet<>();
    Matcher name = METRIC_NAME.matcher(text);
    while (name.find()) {
      names.add(name.group());
    }
    return names;
  }

  /** Served, served only at times (below), a histogram's family, or (ending in _) the prefix of a served name. */
  private static boolean servedOrFamily(String name) {
    if (name.endsWith("_")) {
      return exported.stream().anyMatch(e -> e.startsWith(name));
    }
    return exported.contains(name) || SERVED_ONLY_WHILE.containsKey(name) || exported.contains(name + "_bucket");
  }

  private static Set<String> alertTable(String markdown) {
    Set<String> alerts = new TreeSet<>();
    Matcher row = ALERT_ROW.matcher(markdown);
    while (row.find()) {
      alerts.add(row.group(1));
    }
    return alerts;
  }

  private static UserDocs.Page operations() {
    return UserDocs.read().pages().stream().filter(p -> p.name().equals("docs/operations.md")).findFirst().orElseThrow();
  }

  /**
   * Series the controller serves only while something happens that this sandbox does not do, each
   * with the test that proves it is served then.
   */
  private static final Map<String, String> SERVED_ONLY_WHILE = Map.of(
      ControllerMetrics.OST_DRAIN_FILES_LEFT, "an OST migrates: OstDrainTest",
      ControllerMetrics.SERVER_UPGRADING, "a rolling upgrade replaces a server: RollingUpgradeTest",
      dev.lustrecsi.node.metrics.NodeMetrics.RDMA_REPORTED, "kubelet has called NodeGetInfo: NodeMetricsTest",
      dev.lustrecsi.node.metrics.NodeMetrics.LNET_NIDS, "the node has LNet NIDs up (the sandbox's node has no LNet): NodeMetricsTest",
      dev.lustrecsi.node.metrics.NodeMetrics.LNET_NIDS_DOWN, "the node has LNet networks (the sandbox's node has no LNet): NodeMetricsTest");

  private static Set<String> missing(Set<String> queried) {
    Set<String> missing = new TreeSet<>(queried);
    missing.removeAll(exported);
    missing.removeAll(SERVED_ONLY_WHILE.keySet());
    return missing;
  }

  /** The dashboard JSON as the chart ships it: the ConfigMap Helm renders. */
  static JsonNode renderedDashboard() throws Exception {
    ConfigMap configMap = ChartRenderer.renderDefaults().named(ConfigMap.class, "lustre-csi-dashboard");
    return JSON.readTree(configMap.getData().get("lustre-csi.json"));
  }

  private static final Pattern BY = Pattern.compile("\\b(?:by|group_left)\\s*\\(([^)]*)\\)");
  private static final Pattern LABEL_REFERENCE = Pattern.compile("\\$labels\\.(\\w+)");

  /** The rules of the PrometheusRule the chart renders when alerts are on. */
  static List<JsonNode> alertRules() {
    Rendered rendered = ChartRenderer.render(null, Map.of("monitoring.alerts.enabled", true));
    JsonNode rule = JSON.valueToTree(rendered.objects().stream().filter(o -> o.getKind().equals("PrometheusRule")).findFirst().orElseThrow());
    List<JsonNode> rules = new ArrayList<>();
    rule.path("spec").path("groups").forEach(group -> group.path("rules").forEach(rules::add));
    return rules;
  }

  /** Every metric a panel's query or a variable's query reads, rows' nested panels included. */
  static Set<String> queriedMetrics(JsonNode dashboard) {
    Set<String> names = new TreeSet<>();
    for (JsonNode panel : dashboard.path("panels")) {
      collect(panel, names);
    }
    for (JsonNode variable : dashboard.path("templating").path("list")) {
      JsonNode query = variable.path("query");
      if (variable.path("type").asText().equals("query")) {
        names.addAll(PromQl.variableMetricNames(query.isObject() ? query.path("query").asText() : query.asText()));
      }
    }
    return names;
  }

  private static void collect(JsonNode panel, Set<String> names) {
    for (JsonNode target : panel.path("targets")) {
      names.addAll(PromQl.metricNames(target.path("expr").asText()));
    }
    for (JsonNode nested : panel.path("panels")) {
      collect(nested, names);
    }
  }
}
