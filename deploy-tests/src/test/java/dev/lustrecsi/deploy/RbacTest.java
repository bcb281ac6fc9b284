package dev.lustrecsi.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Least privilege, checked on the rendered chart: our plugins get exactly the calls listed in
 * deploy/api-calls.txt, each sidecar exactly the rules its documentation lists, and no rule
 * anywhere has a wildcard.
 */
class RbacTest {
  static final String RBAC_FOR = "lustre.csi.lustrecsi.dev/rbac-for";
  /** Which api-calls.txt component each of our plugins' RBAC objects is for. */
  static final Map<String, String> PLUGIN_COMPONENTS = Map.of("controller-plugin", "controller", "node-plugin", "node");
  /** Cluster-scoped resources among those the chart grants; everything else is namespaced. */
  static final Set<String> CLUSTER_SCOPED = Set.of("nodes", "persistentvolumes", "storageclasses", "csinodes");

  /**
   * The sidecars' rules, as their upstream deploy/kubernetes/rbac.yaml lists them for the pinned
   * versions, without what this driver never triggers (group snapshots, VolumeAttachments,
   * CSIStorageCapacity, VolumeAttributesClasses, and the resizer's pod watch, off with
   * --handle-volume-inuse-error=false).
   * node-driver-registrar and livenessprobe make no API calls and have no rules.
   */
  static final Set<ApiCall> SIDECAR_CALLS = sidecarCalls();

  private static Set<ApiCall> sidecarCalls() {
    Set<ApiCall> calls = new LinkedHashSet<>();
    grant(calls, "csi-provisioner", "", "persistentvolumes", "get", "list", "watch", "create", "patch", "delete");
    grant(calls, "csi-provisioner", "", "persistentvolumeclaims", "get", "list", "watch", "update");
    grant(calls, "csi-provisioner", "storage.k8s.io", "storageclasses", "get", "list", "watch");
    grant(calls, "csi-provisioner", "", "events", "list", "watch", "create", "update", "patch");
    grant(calls, "csi-provisioner", "storage.k8s.io", "csinodes", "get", "list", "watch");
    grant(calls, "csi-provisioner", "", "nodes", "get", "list", "watch");
    // Restores from snapshots: the provisioner reads the claim's VolumeSnapshot and its content.
    grant(calls, "csi-provisioner", "snapshot.storage.k8s.io", "volumesnapshots", "get", "list");
    grant(calls, "csi-provisioner", "snapshot.storage.k8s.io", "volumesnapshotcontents", "get", "list");
    grant(calls, "csi-provisioner", "coordination.k8s.io", "leases", "get", "watch", "list", "delete", "update", "create");
    grant(calls, "csi-snapshotter", "", "events", "list", "watch", "create", "update", "patch");
    grant(calls, "csi-snapshotter", "snapshot.storage.k8s.io", "volumesnapshotclasses", "get", "list", "watch");
    grant(calls, "csi-snapshotter", "snapshot.storage.k8s.io", "volumesnapshotcontents", "get", "list", "watch", "update", "patch");
    grant(calls, "csi-snapshotter", "snapshot.storage.k8s.io", "volumesnapshotcontents/status", "update", "patch");
    grant(calls, "csi-snapshotter", "coordination.k8s.io", "leases", "get", "watch", "list", "delete", "update", "create");
    grant(calls, "csi-resizer", "", "persistentvolumes", "get", "list", "watch", "patch");
    grant(calls, "csi-resizer", "", "persistentvolumeclaims", "get", "list", "watch");
    grant(calls, "csi-resizer", "", "persistentvolumeclaims/status", "patch");
    grant(calls, "csi-resizer", "", "events", "list", "watch", "create", "update", "patch");
    grant(calls, "csi-resizer", "coordination.k8s.io", "leases", "get", "watch", "list", "delete", "update", "create");
    return calls;
  }

  private static void grant(Set<ApiCall> calls, String component, String group, String resource, String... verbs) {
    for (String verb : verbs) {
      calls.add(new ApiCall(component, verb, group, resource));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.lustrecsi.deploy.ValuesFiles#defaultsAndExamples")
  void ourPluginsGetExactlyTheCallsTheirCodeMakes(String label, Path valuesFile) {
    Rendered rendered = ChartRenderer.render(valuesFile, Map.of());
    Set<ApiCall> listed = ApiCall.read(RepoLayout.apiCalls());

    Set<ApiCall> granted = new LinkedHashSet<>();
    for (var entry : PLUGIN_COMPONENTS.entrySet()) {
      for (Grant grant : grants(rendered, entry.getKey())) {
        granted.addAll(grant.calls(entry.getValue()));
      }
    }

    Set<ApiCall> missing = new LinkedHashSet<>(listed);
    missing.removeAll(granted);
    Set<ApiCall> extra = new LinkedHashSet<>(granted);
    extra.removeAll(listed);
    SoftAssertions.assertSoftly(softly -> {
      softly.assertThat(missing).as("calls in deploy/api-calls.txt the chart does not grant").isEmpty();
      softly.assertThat(extra).as("rules the chart grants that no call in deploy/api-calls.txt needs").isEmpty();
    });
  }

  @Test
  void sidecarsGetExactlyTheRulesTheirDocumentationLists() {
    Rendered rendered = ChartRenderer.renderDefaults();
    Set<ApiCall> granted = new LinkedHashSet<>();
    for (String sidecar : List.of("csi-provisioner", "csi-snapshotter", "csi-resizer")) {
      for (Grant grant : grants(rendered, sidecar)) {
        granted.addAll(grant.calls(sidecar));
      }
    }
    assertThat(granted).containsExactlyInAnyOrderElementsOf(SIDECAR_CALLS);
  }

  @Test
  void withoutTheSnapshotterTheProvisionerReadsNoSnapshots() {
    Rendered rendered = ChartRenderer.render(null, Map.of("controller.snapshotter.enabled", "false"));
    Set<ApiCall> granted = new LinkedHashSet<>();
    for (Grant grant : grants(rendered, "csi-provisioner")) {
      granted.addAll(grant.calls("csi-provisioner"));
    }
    assertThat(granted).isNotEmpty().noneMatch(c -> c.toString().contains("snapshot.storage.k8s.io"));
  }

  @Test
  void groupSnapshotsAddTheSnapshottersGroupRulesAndFeatureGate() {
    Rendered rendered = ChartRenderer.render(null, Map.of("controller.snapshotter.groupSnapshots", "true"));
    Set<ApiCall> granted = new LinkedHashSet<>();
    for (Grant grant : grants(rendered, "csi-snapshotter")) {
      granted.addAll(grant.calls("csi-snapshotter"));
    }
    Set<ApiCall> expected = new LinkedHashSet<>(SIDECAR_CALLS.stream().filter(c -> c.component().equals("csi-snapshotter")).toList());
    grant(expected, "csi-snapshotter", "groupsnapshot.storage.k8s.io", "volumegroupsnapshotclasses", "get", "list", "watch");
    grant(expected, "csi-snapshotter", "groupsnapshot.storage.k8s.io", "volumegroupsnapshotcontents", "get", "list", "watch", "update", "patch");
    grant(expected, "csi-snapshotter", "groupsnapshot.storage.k8s.io", "volumegroupsnapshotcontents/status", "update", "patch");
    assertThat(granted).containsExactlyInAnyOrderElementsOf(expected);
    var pod = rendered.one(io.fabric8.kubernetes.api.model.apps.Deployment.class).getSpec().getTemplate().getSpec();
    assertThat(pod.getContainers()).filteredOn(c -> c.getName().equals("csi-snapshotter")).singleElement()
        .satisfies(c -> assertThat(c.getArgs()).contains("--feature-gates=CSIVolumeGroupSnapshot=true"));
  }

  @Test
  void everyRoleIsForOneNamedProgramAndBoundOnlyToThePodThatRunsIt() {
    Rendered rendered = ChartRenderer.renderDefaults();
    String controllerAccount = rendered.one(Deployment.class).getSpec().getTemplate().getSpec().getServiceAccountName();
    String nodeAccount = rendered.one(DaemonSet.class).getSpec().getTemplate().getSpec().getServiceAccountName();
    Map<String, String> accountOf = Map.of("controller-plugin", controllerAccount, "csi-provisioner", controllerAccount,
        "csi-resizer", controllerAccount, "csi-snapshotter", controllerAccount, "node-plugin", nodeAccount);

    List<HasMetadata> roles = new ArrayList<>();
    roles.addAll(rendered.all(Role.class));
    roles.addAll(rendered.all(ClusterRole.class));
    for (HasMetadata role : roles) {
      assertThat(accountOf).as("%s %s names the program it is for", role.getKind(), role.getMetadata().getName())
          .containsKey(role.getMetadata().getLabels().get(RBAC_FOR));
    }
    for (Grant grant : allGrants(rendered)) {
      assertThat(grant.subjects()).as("subjects bound to %s", grant.roleName()).singleElement().satisfies(subject -> {
        assertThat(subject.getKind()).isEqualTo("ServiceAccount");
        assertThat(subject.getNamespace()).isEqualTo(ChartRenderer.NAMESPACE);
        assertThat(subject.getName()).isEqualTo(accountOf.get(grant.rbacFor()));
      });
    }
    assertThat(allGrants(rendered)).extracting(Grant::roleName)
        .as("every role is bound").containsAll(roles.stream().map(r -> r.getMetadata().getName()).toList());
  }

  @Test
  void ourPluginsGetNamespacedResourcesOnlyInTheirOwnNamespace() {
    Rendered rendered = ChartRenderer.renderDefaults();
    for (String program : PLUGIN_COMPONENTS.keySet()) {
      for (Grant grant : grants(rendered, program)) {
        for (PolicyRule rule : grant.rules()) {
          for (String resource : rule.getResources()) {
            boolean clusterScoped = CLUSTER_SCOPED.contains(resource);
            assertThat(grant.clusterWide()).as("%s: %s granted by a %s", program, resource,
                grant.clusterWide() ? "ClusterRole" : "Role").isEqualTo(clusterScoped);
          }
        }
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.lustrecsi.deploy.ValuesFiles#defaultsAndExamples")
  void noRuleHasAWildcardOrReachesBeyondNamedResources(String label, Path valuesFile) {
    for (Grant grant : allGrants(ChartRenderer.render(valuesFile, Map.of()))) {
      for (PolicyRule rule : grant.rules()) {
        Stream.of(rule.getApiGroups(), rule.getResources(), rule.getVerbs(), rule.getResourceNames())
            .flatMap(List::stream)
            .forEach(value -> assertThat(value).as("in %s", grant.roleName()).doesNotContain("*"));
        assertThat(rule.getNonResourceURLs()).as("non-resource URLs in %s", grant.roleName()).isEmpty();
        assertThat(rule.getVerbs()).as("verbs in %s", grant.roleName())
            .doesNotContain("escalate", "bind", "impersonate");
      }
    }
  }

  /** A role as bound: its rules, whether cluster-wide, and to whom. */
  record Grant(String roleName, String rbacFor, boolean clusterWide, List<PolicyRule> rules, List<Subject> subjects) {
    Set<ApiCall> calls(String component) {
      Set<ApiCall> calls = new LinkedHashSet<>();
      for (PolicyRule rule : rules) {
        for (String group : rule.getApiGroups()) {
          for (String resource : rule.getResources()) {
            for (String verb : rule.getVerbs()) {
              calls.add(new ApiCall(component, verb, group, resource));
            }
          }
        }
      }
      return calls;
    }
  }

  static List<Grant> grants(Rendered rendered, String program) {
    return allGrants(rendered).stream().filter(g -> program.equals(g.rbacFor())).toList();
  }

  /** Every binding of the release with the role it binds; a binding to a role not rendered fails. */
  static List<Grant> allGrants(Rendered rendered) {
    List<Grant> grants = new ArrayList<>();
    for (RoleBinding binding : rendered.all(RoleBinding.class)) {
      RoleRef ref = binding.getRoleRef();
      assertThat(ref.getKind()).as("RoleBinding %s binds a Role of its namespace", binding.getMetadata().getName())
          .isEqualTo("Role");
      Role role = rendered.named(Role.class, ref.getName());
      assertThat(role.getMetadata().getNamespace()).isEqualTo(binding.getMetadata().getNamespace());
      grants.add(new Grant(role.getMetadata().getName(), role.getMetadata().getLabels().get(RBAC_FOR), false,
          role.getRules(), binding.getSubjects()));
    }
    for (ClusterRoleBinding binding : rendered.all(ClusterRoleBinding.class)) {
      ClusterRole role = rendered.named(ClusterRole.class, binding.getRoleRef().getName());
      assertThat(role.getAggregationRule()).as("aggregation hides rules").isNull();
      grants.add(new Grant(role.getMetadata().getName(), role.getMetadata().getLabels().get(RBAC_FOR), true,
          role.getRules(), binding.getSubjects()));
    }
    return grants;
  }
}
