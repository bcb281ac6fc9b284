package dev.lustrecsi.deploy;

import static dev.lustrecsi.deploy.ChartRenderingTest.container;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lustrecsi.controller.filesystem.FilesystemPlanner;
import dev.lustrecsi.controller.filesystem.LustreFilesystem;
import dev.lustrecsi.controller.filesystem.LustreFilesystemSpec;
import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus;
import dev.lustrecsi.controller.servers.ServerSetup;
import dev.lustrecsi.controller.servers.ServerVirtualMachines;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The metrics ports, their Services, the optional ServiceMonitors and the dashboard's ConfigMap. */
class MetricsChartTest {
  static final Map<String, Object> ALL_OFF = Map.of("controller.metrics.enabled", false, "node.metrics.enabled", false,
      "servers.metrics.enabled", false, "monitoring.dashboard.enabled", false);

  @Test
  void byDefaultEveryComponentServesMetricsWithAServiceAndTheDashboardShipsButNoServiceMonitor() {
    Rendered rendered = ChartRenderer.renderDefaults();
    Container controller = container(rendered.one(Deployment.class).getSpec().getTemplate().getSpec(), "lustre-controller");
    assertThat(controller.getArgs()).containsSequence("--metrics-address", ":9811").containsSequence("--metrics-volume-limit", "500");
    assertThat(controller.getPorts()).extracting(ContainerPort::getName, ContainerPort::getContainerPort).contains(org.assertj.core.groups.Tuple.tuple("metrics", 9811));
    Container node = container(rendered.one(DaemonSet.class).getSpec().getTemplate().getSpec(), "lustre-node");
    assertThat(node.getArgs()).containsSequence("--metrics-address", ":9812");
    assertThat(node.getPorts()).extracting(ContainerPort::getName, ContainerPort::getContainerPort).contains(org.assertj.core.groups.Tuple.tuple("metrics", 9812));

    assertThat(rendered.all(Service.class)).extracting(s -> s.getMetadata().getName())
        .containsExactlyInAnyOrder("lustre-csi-controller-metrics", "lustre-csi-node-metrics", "lustre-csi-servers-metrics");
    Service controllerService = rendered.named(Service.class, "lustre-csi-controller-metrics");
    assertThat(rendered.one(Deployment.class).getSpec().getTemplate().getMetadata().getLabels())
        .containsAllEntriesOf(controllerService.getSpec().getSelector());
    assertThat(rendered.one(DaemonSet.class).getSpec().getTemplate().getMetadata().getLabels())
        .containsAllEntriesOf(rendered.named(Service.class, "lustre-csi-node-metrics").getSpec().getSelector());
    assertThat(rendered.objects()).noneMatch(o -> o.getKind().equals("ServiceMonitor") || o.getKind().equals("PrometheusRule"));

    ConfigMap dashboard = rendered.named(ConfigMap.class, "lustre-csi-dashboard");
    assertThat(dashboard.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1");
    assertThat(dashboard.getData()).containsKey("lustre-csi.json");
  }

  @Test
  void theServersServiceSelectsTheServerVmsPodsAtTheAgentsMetricsPort() {
    Service servers = ChartRenderer.renderDefaults().named(Service.class, "lustre-csi-servers-metrics");
    // The labels the controller puts on a server VM's pod template, from the controller's own code.
    LustreFilesystem filesystem = new LustreFilesystem();
    filesystem.setMetadata(new ObjectMetaBuilder().withName("fs1").withNamespace(ChartRenderer.NAMESPACE).withUid("u").build());
    filesystem.setSpec(new LustreFilesystemSpec("fs1", "img:1", "1Gi", "1Gi", "4Gi", 1, 1, 4, 1.0, null, null, null, List.of("tcp"),
        new LustreFilesystemSpec.StorageNetwork("lnet", "10.1.0.0/24", null), null));
    LustreFilesystemStatus plan = FilesystemPlanner.plan(filesystem.getSpec(), LustreFilesystemStatus.empty(), List.of());
    GenericKubernetesResource vm = ServerVirtualMachines.build(filesystem, plan.servers().getFirst(), List.of(), 9443);
    @SuppressWarnings("unchecked")
    Map<String, String> podLabels = (Map<String, String>) ((Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>)
        vm.getAdditionalProperties().get("spec")).get("template")).get("metadata")).get("labels");
    assertThat(podLabels).containsAllEntriesOf(servers.getSpec().getSelector());
    assertThat(servers.getSpec().getClusterIP()).isEqualTo("None");
    assertThat(servers.getSpec().getPorts()).singleElement().satisfies(port -> {
      assertThat(port.getName()).isEqualTo("metrics");
      assertThat(port.getTargetPort().getIntVal()).isEqualTo(ServerSetup.AGENT_METRICS_PORT);
    });
  }

  @Test
  void metricsTurnOffComponentByComponent() {
    Rendered rendered = ChartRenderer.render(null, ALL_OFF);
    Container controller = container(rendered.one(Deployment.class).getSpec().getTemplate().getSpec(), "lustre-controller");
    Container node = container(rendered.one(DaemonSet.class).getSpec().getTemplate().getSpec(), "lustre-node");
    assertThat(controller.getArgs()).doesNotContain("--metrics-address", "--metrics-volume-limit");
    assertThat(node.getArgs()).doesNotContain("--metrics-address");
    assertThat(controller.getPorts()).extracting(ContainerPort::getName).doesNotContain("metrics");
    assertThat(node.getPorts()).extracting(ContainerPort::getName).doesNotContain("metrics");
    assertThat(rendered.all(Service.class)).isEmpty();
    assertThat(rendered.all(ConfigMap.class)).isEmpty();
  }

  @Test
  void serviceMonitorsWhenAskedSelectTheirServicesAndLabelNodesAndServers() {
    Rendered rendered = ChartRenderer.render(null, Map.of("monitoring.serviceMonitors.enabled", true,
        "monitoring.serviceMonitors.labels.release", "prometheus", "node.metrics.port", 19812));
    List<GenericKubernetesResource> monitors = rendered.objects().stream().filter(o -> o.getKind().equals("ServiceMonitor"))
        .map(GenericKubernetesResource.class::cast).toList();
    assertThat(monitors).hasSize(3);
    for (GenericKubernetesResource monitor : monitors) {
      assertThat(monitor.getMetadata().getLabels()).containsEntry("release", "prometheus");
      Service service = rendered.named(Service.class, monitor.getMetadata().getName());
      @SuppressWarnings("unchecked")
      Map<String, String> selector = (Map<String, String>) ((Map<String, Object>) ((Map<String, Object>)
          monitor.getAdditionalProperties().get("spec")).get("selector")).get("matchLabels");
      assertThat(service.getMetadata().getLabels()).containsAllEntriesOf(selector);
      assertThat(rendered.all(Service.class).stream().filter(s -> s.getMetadata().getLabels().entrySet().containsAll(selector.entrySet())))
          .as("services %s selects", monitor.getMetadata().getName()).hasSize(1);
    }
    assertThat(rendered.named(Service.class, "lustre-csi-node-metrics").getSpec().getPorts().getFirst().getPort()).isEqualTo(19812);
    String nodeMonitor = io.fabric8.kubernetes.client.utils.Serialization.asYaml(monitors.stream()
        .filter(m -> m.getMetadata().getName().equals("lustre-csi-node-metrics")).findFirst().orElseThrow());
    assertThat(nodeMonitor).contains("__meta_kubernetes_pod_node_name", "targetLabel: \"node\"");
  }

  @Test
  void alertsWhenAskedAreOnePrometheusRuleWhoseAnnotationsKeepPrometheussTemplates() {
    Rendered rendered = ChartRenderer.render(null, Map.of("monitoring.alerts.enabled", true,
        "monitoring.alerts.labels.release", "prometheus"));
    List<GenericKubernetesResource> prometheusRules = rendered.objects().stream().filter(o -> o.getKind().equals("PrometheusRule"))
        .map(GenericKubernetesResource.class::cast).toList();
    assertThat(prometheusRules).hasSize(1);
    GenericKubernetesResource rule = prometheusRules.getFirst();
    assertThat(rule.getMetadata().getName()).isEqualTo("lustre-csi-alerts");
    assertThat(rule.getMetadata().getNamespace()).isEqualTo(ChartRenderer.NAMESPACE);
    assertThat(rule.getMetadata().getLabels()).containsEntry("release", "prometheus");
    var rules = MonitoringMetricsTest.alertRules();
    assertThat(rules).extracting(r -> r.path("alert").asText()).doesNotHaveDuplicates()
        .contains("LustreFilesystemFailed", "LustreTargetDown", "LustreOstNearlyFull", "LustreNodeMountUnhealthy");
    for (var r : rules) {
      String alert = r.path("alert").asText();
      assertThat(alert).as("an alert's name").matches("Lustre[A-Z][A-Za-z]+");
      assertThat(r.path("expr").asText()).as("%s's expr", alert).isNotBlank();
      assertThat(r.path("for").asText()).as("%s waits before it fires", alert).matches("\\d+m");
      assertThat(r.path("labels").path("severity").asText()).as("%s's severity", alert).isIn("warning", "critical");
      assertThat(r.path("annotations").path("summary").asText()).as("%s's summary", alert).isNotBlank();
      assertThat(r.path("annotations").path("description").asText()).as("%s's description", alert).isNotBlank();
    }
    // Helm includes the rules file as it is: the templates in the annotations are Prometheus's to fill.
    assertThat(rules.getFirst().path("annotations").path("summary").asText()).contains("{{ $labels.filesystem }}");
  }

  /**
   * lustre_csi_server_state is Failed only when a server's agent answers and Lustre's
   * health_check is not healthy; a VM KubeVirt cannot run is Starting. The alert on Failed must
   * send the operator to health_check, not to KubeVirt, where the VM shows Running.
   */
  @Test
  void theServerFailedAlertSaysWhatFailedMeans() {
    var server = new LustreFilesystemStatus.ServerStatus("fs1-oss0", "oss", "10.1.0.12", List.of("10.1.0.12@tcp"), "Ready", null);
    var planned = new LustreFilesystemStatus("Ready", 1L, List.of(), List.of(server), List.of(), 0, null, null, null, null, null, null, null,
        null, null);
    java.util.function.Function<dev.lustrecsi.controller.reconciler.ServerObservation, String> state = seen -> dev.lustrecsi.controller
        .reconciler.FilesystemStatusCalculator.observe(planned, Map.of("fs1-oss0", seen), java.util.Optional.empty(), 1, 0,
            java.time.Instant.EPOCH).servers().getFirst().state();
    assertThat(state.apply(new dev.lustrecsi.controller.reconciler.ServerObservation(true, "Failed", false, false, "", java.util.Optional.empty(),
        "no instance"))).as("a VMI KubeVirt failed").isEqualTo("Starting");
    assertThat(state.apply(new dev.lustrecsi.controller.reconciler.ServerObservation(true, "Running", false, true, "10.244.0.9",
        java.util.Optional.of(dev.lustrecsi.agent.v1.GetHealthResponse.newBuilder().setHealthCheck("LBUG\n").build()), null)))
        .as("Lustre not healthy").isEqualTo("Failed");

    var rule = MonitoringMetricsTest.alertRules().stream().filter(r -> r.path("alert").asText().equals("LustreServerVmFailed"))
        .findFirst().orElseThrow();
    assertThat(rule.path("expr").asText()).contains("state=\"Failed\"");
    assertThat(rule.path("annotations").toString()).contains("health_check").doesNotContain("KubeVirt reports").doesNotContain("get vmi");
  }

  /**
   * The likeliest way to have no leader is to have no controller running: then no replica serves
   * lustre_csi_controller_leader, sum() over no series is no series, and "== 0" never holds. The
   * alert must fire on the metric's absence too.
   */
  @Test
  void theNoLeaderAlertFiresWhenNoControllerServesItsMetrics() {
    var rule = MonitoringMetricsTest.alertRules().stream().filter(r -> r.path("alert").asText().equals("LustreControllerWithoutLeader"))
        .findFirst().orElseThrow();
    assertThat(rule.path("expr").asText()).contains("sum(lustre_csi_controller_leader) == 0")
        .containsPattern("\\bor\\s+absent\\(lustre_csi_controller_leader\\)");
  }
}
