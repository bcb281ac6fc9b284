package dev.lustrecsi.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.storage.CSIDriver;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ChartRenderingTest {
  static final String DRIVER = "lustre.csi.lustrecsi.dev";

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.lustrecsi.deploy.ValuesFiles#defaultsAndExamples")
  void everyRenderedObjectIsATypedKubernetesObject(String label, Path valuesFile) {
    Rendered rendered = ChartRenderer.render(valuesFile, Map.of());

    Set<String> kinds = rendered.objects().stream().map(HasMetadata::getKind).collect(Collectors.toSet());
    assertThat(kinds).contains("CSIDriver", "Deployment", "DaemonSet", "ServiceAccount", "Role", "RoleBinding",
        "ClusterRole", "ClusterRoleBinding");
    for (HasMetadata object : rendered.objects()) {
      assertThat(object.getMetadata().getLabels()).as("labels of %s %s", object.getKind(), object.getMetadata().getName())
          .containsEntry("app.kubernetes.io/instance", ChartRenderer.RELEASE);
    }
  }

  @Test
  void chartCarriesItsCrdsWithAStatusSubresource() throws IOException {
    // Helm installs crds/ verbatim (no templating, and `helm template` leaves them out), so they
    // are read from the chart itself.
    List<CustomResourceDefinition> crds = new ArrayList<>();
    try (Stream<Path> files = Files.list(RepoLayout.chart().resolve("crds"))) {
      for (Path file : files.sorted().toList()) {
        crds.addAll(Rendered.parse(Files.readString(file)).all(CustomResourceDefinition.class));
      }
    }
    assertThat(crds).extracting(crd -> crd.getMetadata().getName())
        .containsExactly("lustrefilesystems.lustre.csi.lustrecsi.dev", "lustresnapshots.lustre.csi.lustrecsi.dev",
            "lustrevolumes.lustre.csi.lustrecsi.dev");
    assertThat(crds).allSatisfy(crd -> {
      assertThat(crd.getSpec().getGroup()).isEqualTo(DRIVER);
      assertThat(crd.getSpec().getScope()).isEqualTo("Namespaced");
      assertThat(crd.getSpec().getVersions()).singleElement().satisfies(version -> {
        assertThat(version.getName()).isEqualTo("v1alpha1");
        assertThat(version.getStorage()).isTrue();
        assertThat(version.getSchema().getOpenAPIV3Schema().getProperties()).containsKey("spec");
        // LustreVolumes and LustreSnapshots are the controller's own records, with nothing to report: no status.
        if (crd.getSpec().getNames().getKind().equals("LustreFilesystem")) {
          assertThat(version.getSubresources().getStatus()).isNotNull();
          assertThat(version.getSchema().getOpenAPIV3Schema().getProperties()).containsKey("status");
        }
      });
    });
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.lustrecsi.deploy.ValuesFiles#defaultsAndExamples")
  void podsReferenceOnlyVolumesAndServiceAccountsThatExist(String label, Path valuesFile) {
    Rendered rendered = ChartRenderer.render(valuesFile, Map.of());
    Set<String> serviceAccounts = rendered.all(ServiceAccount.class).stream()
        .map(sa -> sa.getMetadata().getName()).collect(Collectors.toSet());
    List<PodSpec> pods = List.of(
        rendered.one(Deployment.class).getSpec().getTemplate().getSpec(),
        rendered.one(DaemonSet.class).getSpec().getTemplate().getSpec());
    for (PodSpec pod : pods) {
      assertThat(serviceAccounts).contains(pod.getServiceAccountName());
      Set<String> volumes = pod.getVolumes().stream().map(v -> v.getName()).collect(Collectors.toSet());
      for (Container container : pod.getContainers()) {
        assertThat(container.getVolumeMounts()).extracting(VolumeMount::getName)
            .as("volumes mounted by %s", container.getName()).allMatch(volumes::contains);
        assertThat(container.getImage()).as("image of %s", container.getName())
            .matches("[^:]+:[A-Za-z0-9_][A-Za-z0-9_.-]*").doesNotEndWith(":latest");
      }
    }
  }

  @Test
  void csiDriverNeedsNoAttachAndLeavesOwnershipAlone() {
    CSIDriver driver = ChartRenderer.renderDefaults().one(CSIDriver.class);
    assertThat(driver.getMetadata().getName()).isEqualTo(DRIVER);
    assertThat(driver.getSpec().getAttachRequired()).isFalse();
    assertThat(driver.getSpec().getPodInfoOnMount()).isTrue();
    assertThat(driver.getSpec().getFsGroupPolicy()).isEqualTo("None");
  }

  @Test
  void controllerRunsTwoLeaderElectedReplicasWithAProvisionerPatientEnoughForVmBoots() {
    Rendered rendered = ChartRenderer.renderDefaults();
    Deployment controller = rendered.one(Deployment.class);
    assertThat(controller.getSpec().getReplicas()).isEqualTo(2);
    PodSpec pod = controller.getSpec().getTemplate().getSpec();
    assertThat(pod.getContainers()).extracting(Container::getName)
        .containsExactly("lustre-controller", "csi-provisioner", "csi-snapshotter", "csi-resizer", "liveness-probe");
    assertThat(container(pod, "lustre-controller").getArgs()).contains("--leader-election");
    assertThat(container(pod, "csi-provisioner").getArgs()).contains("--leader-election", "--extra-create-metadata",
        "--feature-gates=Topology=true", "--timeout=300s", "--retry-interval-max=5m");
    // Abandoned volumes wait an hour: far above a quarter of it plus the provisioner's timeout and longest retry interval.
    assertThat(container(pod, "lustre-controller").getArgs()).containsSubsequence("--abandoned-after", "PT1H");
    assertThat(container(pod, "csi-resizer").getArgs()).contains("--leader-election");
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getContainers()).allSatisfy(c -> {
      assertThat(c.getSecurityContext().getPrivileged()).as("%s privileged", c.getName()).isNotEqualTo(Boolean.TRUE);
      assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    });

    PodDisruptionBudget budget = rendered.one(PodDisruptionBudget.class);
    assertThat(budget.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
    assertThat(budget.getSpec().getSelector().getMatchLabels())
        .isEqualTo(controller.getSpec().getSelector().getMatchLabels());
    assertThat(controller.getSpec().getTemplate().getMetadata().getLabels())
        .containsAllEntriesOf(controller.getSpec().getSelector().getMatchLabels());
  }

  @Test
  void aSingleReplicaControllerGetsNoDisruptionBudgetThatWouldBlockEveryDrain() {
    Rendered rendered = ChartRenderer.render(null, Map.of("controller.replicas", 1));
    assertThat(rendered.all(PodDisruptionBudget.class)).isEmpty();
  }

  @Test
  void nodePluginIsPrivilegedOnTheHostNetworkAndMountsOnlyWhatItNeeds() {
    DaemonSet node = ChartRenderer.renderDefaults().one(DaemonSet.class);
    PodSpec pod = node.getSpec().getTemplate().getSpec();
    assertThat(pod.getHostNetwork()).isTrue();
    assertThat(pod.getContainers()).extracting(Container::getName)
        .containsExactly("lustre-node", "node-driver-registrar", "liveness-probe");
    Container plugin = container(pod, "lustre-node");
    assertThat(plugin.getSecurityContext().getPrivileged()).isTrue();
    assertThat(plugin.getReadinessProbe()).isNotNull();
    assertThat(plugin.getLivenessProbe()).isNotNull();
    Map<String, VolumeMount> mounts = plugin.getVolumeMounts().stream()
        .collect(Collectors.toMap(VolumeMount::getMountPath, m -> m));
    assertThat(mounts).containsOnlyKeys("/csi", "/var/lib/kubelet", "/dev", "/sys", "/lib/modules");
    assertThat(mounts.get("/var/lib/kubelet").getMountPropagation()).isEqualTo("Bidirectional");
    assertThat(mounts.get("/sys").getReadOnly()).isTrue();
    assertThat(mounts.get("/lib/modules").getReadOnly()).isTrue();
    assertThat(pod.getVolumes()).allSatisfy(v -> assertThat(v.getHostPath()).as("volume %s", v.getName()).isNotNull());
    assertThat(pod.getVolumes()).extracting(v -> v.getHostPath().getPath()).containsExactlyInAnyOrder(
        "/var/lib/kubelet/plugins/" + DRIVER, "/var/lib/kubelet/plugins_registry", "/var/lib/kubelet", "/dev", "/sys",
        "/lib/modules");
    assertThat(container(pod, "node-driver-registrar").getArgs())
        .contains("--kubelet-registration-path=/var/lib/kubelet/plugins/" + DRIVER + "/csi.sock");
    assertThat(pod.getTolerations()).anySatisfy(t -> {
      assertThat(t.getKey()).isEqualTo(DRIVER + "/agent-not-ready");
      assertThat(t.getEffect()).isEqualTo("NoExecute");
      assertThat(t.getOperator()).isEqualTo("Exists");
    });
  }

  @Test
  void aMovedKubeletDirectoryMovesEveryPathThatDependsOnIt() {
    DaemonSet node = ChartRenderer.render(null, Map.of("kubeletDir", "/var/data/kubelet")).one(DaemonSet.class);
    PodSpec pod = node.getSpec().getTemplate().getSpec();
    assertThat(pod.getVolumes()).extracting(v -> v.getHostPath().getPath())
        .filteredOn(path -> path.contains("kubelet")).allMatch(path -> path.startsWith("/var/data/kubelet"));
    assertThat(container(pod, "lustre-node").getArgs()).contains("/var/data/kubelet/plugins/" + DRIVER + "/mounts");
  }

  @Test
  void userTolerationsComeOnTopOfTheStartupTaintToleration() {
    DaemonSet node = ChartRenderer.render(null, Map.of("node.tolerations[0].operator", "Exists")).one(DaemonSet.class);
    assertThat(node.getSpec().getTemplate().getSpec().getTolerations()).extracting(Toleration::getKey)
        .containsExactly(DRIVER + "/agent-not-ready", null);
  }

  @Test
  void noStorageClassUnlessAsked() {
    assertThat(ChartRenderer.renderDefaults().all(StorageClass.class)).isEmpty();
  }

  @Test
  void rdmaExampleMakesATcpClassAndAnRdmaTierConfinedToRdmaNodes() {
    Rendered rendered = ChartRenderer.render(RepoLayout.chartExamples().resolve("rdma.yaml"), Map.of());
    assertThat(rendered.all(StorageClass.class)).allSatisfy(sc -> assertThat(sc.getProvisioner()).isEqualTo(DRIVER));
    StorageClass tcp = rendered.named(StorageClass.class, "lustre-scratch");
    assertThat(tcp.getParameters()).containsEntry("lnet", "tcp").containsEntry("fsName", "scratch");
    StorageClass rdma = rendered.named(StorageClass.class, "lustre-rdma");
    assertThat(rdma.getParameters()).containsEntry("lnet", "o2ib").containsEntry("stripeCount", "4")
        .containsEntry("ostSize", "4Ti");
    assertThat(rdma.getVolumeBindingMode()).isEqualTo("WaitForFirstConsumer");
    assertThat(rdma.getAllowVolumeExpansion()).isTrue();
    assertThat(rdma.getAllowedTopologies()).singleElement().satisfies(term ->
        assertThat(term.getMatchLabelExpressions()).singleElement().satisfies(expression -> {
          assertThat(expression.getKey()).isEqualTo(DRIVER + "/rdma");
          assertThat(expression.getValues()).containsExactly("true");
        }));
  }

  @Test
  void externalLnetExampleTellsTheNodePluginToLeaveLnetAlone() {
    Rendered rendered = ChartRenderer.render(RepoLayout.chartExamples().resolve("external-lnet.yaml"), Map.of());
    List<String> args = container(rendered.one(DaemonSet.class).getSpec().getTemplate().getSpec(), "lustre-node").getArgs();
    assertThat(args.get(args.indexOf("--lnet") + 1)).isEqualTo("external");
    assertThat(rendered.named(StorageClass.class, "lustre-projects").getReclaimPolicy()).isEqualTo("Retain");
  }

  @Test
  void theNodePluginUsesTheLnetInterfaceTheValuesNameAndChoosesOneOtherwise() {
    List<String> named = container(ChartRenderer.render(null, Map.of("node.lnet.interface", "bond0.100")).one(DaemonSet.class)
        .getSpec().getTemplate().getSpec(), "lustre-node").getArgs();
    assertThat(named.get(named.indexOf("--lnet-interface") + 1)).isEqualTo("bond0.100");
    assertThat(container(ChartRenderer.renderDefaults().one(DaemonSet.class).getSpec().getTemplate().getSpec(), "lustre-node").getArgs())
        .doesNotContain("--lnet-interface");
  }

  static Container container(PodSpec pod, String name) {
    return pod.getContainers().stream().filter(c -> c.getName().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no container " + name));
  }
}
