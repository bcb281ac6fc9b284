package dev.lustrecsi.controller.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lustrecsi.common.error.CsiException;
import dev.lustrecsi.controller.filesystem.DrainStatus;
import dev.lustrecsi.controller.filesystem.Filesystems;
import dev.lustrecsi.controller.filesystem.LustreFilesystem;
import dev.lustrecsi.controller.filesystem.LustreFilesystemSpec;
import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus;
import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus.ServerStatus;
import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus.TargetStatus;
import dev.lustrecsi.controller.reconciler.MockClusterAccess;
import dev.lustrecsi.kubevirt.simulator.KubeVirtSimulator;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The servers a filesystem-wide snapshot must reach: every server holding a target in service, a
 * drained OST left out (it is no longer part of the filesystem, and its state never comes back
 * to Up), and a site's filesystem refused for good rather than reported as not running.
 */
class FilesystemServersTest {

  @Test
  void anOstDrainedAwayIsNotWaitedForAndItsEmptiedServerIsLeftOut() {
    try (MockClusterAccess cluster = new MockClusterAccess()) {
      LustreFilesystem filesystem = Filesystems.resource(Filesystems.spec("fs1", 2, 1, List.of("tcp")));
      LustreFilesystemStatus planned = filesystem.getStatus();
      List<TargetStatus> targets = new ArrayList<>();
      for (TargetStatus target : planned.targets()) {
        TargetStatus up = target.withObserved("Up", 1L << 40, 0L);
        targets.add(target.name().equals("fs1-OST0001")
            ? up.withDrain(new DrainStatus(DrainStatus.REMOVED, 0L, 0L, 0L, 0L, null, null)).withObserved(TargetStatus.REMOVED, 1L << 40, 0L)
            : up);
      }
      String drainedServer = planned.targets().stream().filter(t -> t.name().equals("fs1-OST0001")).findFirst().orElseThrow().server();
      List<ServerStatus> servers = planned.servers().stream()
          .map(s -> s.name().equals(drainedServer) ? s.withState(ServerStatus.REMOVED, "drained") : s).toList();
      create(cluster, filesystem, planned.withLayout(servers, targets));
      for (ServerStatus server : servers) {
        if (!server.removed()) {
          runningVmi(cluster, server.name(), server.address());
        }
      }

      FilesystemServers.Servers found = new FilesystemServers(cluster.client(), cluster.namespace()).of("fs1");

      assertThat(found.servers()).extracting(FilesystemServers.Server::name).doesNotContain(drainedServer);
      assertThat(found.targetCount()).isEqualTo(3);  // MGT, MDT, OST0000
      assertThat(found.mgs().role()).isEqualTo("mgs");
    }
  }

  @Test
  void aFilesystemTheSiteRunsIsRefusedAsAPreconditionNotAnOutage() {
    try (MockClusterAccess cluster = new MockClusterAccess()) {
      LustreFilesystem filesystem = new LustreFilesystem();
      filesystem.setMetadata(new ObjectMetaBuilder().withName("site").withNamespace(cluster.namespace()).build());
      filesystem.setSpec(LustreFilesystemSpec.external("site",
          new LustreFilesystemSpec.External("10.0.0.1@tcp", null, "mgmt.example.org:9443", null, null, null)));
      cluster.client().resources(LustreFilesystem.class).inNamespace(cluster.namespace()).resource(filesystem).create();

      assertThatThrownBy(() -> new FilesystemServers(cluster.client(), cluster.namespace()).of("site"))
          .isInstanceOfSatisfying(CsiException.class, e -> {
            assertThat(e.code()).isEqualTo(Status.Code.FAILED_PRECONDITION);
            assertThat(e.getMessage()).contains("spec.external");
          });
    }
  }

  private static void create(MockClusterAccess cluster, LustreFilesystem filesystem, LustreFilesystemStatus status) {
    var resources = cluster.client().resources(LustreFilesystem.class).inNamespace(cluster.namespace());
    filesystem.getMetadata().setNamespace(cluster.namespace());
    filesystem.setStatus(null);
    LustreFilesystem created = resources.resource(filesystem).create();
    created.setStatus(status);
    resources.resource(created).updateStatus();
  }

  private static void runningVmi(MockClusterAccess cluster, String name, String address) {
    GenericKubernetesResource vmi = new GenericKubernetesResource();
    vmi.setApiVersion("kubevirt.io/v1");
    vmi.setKind("VirtualMachineInstance");
    vmi.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(cluster.namespace()).build());
    var vmis = cluster.client().genericKubernetesResources(KubeVirtSimulator.VMIS).inNamespace(cluster.namespace());
    GenericKubernetesResource created = vmis.resource(vmi).create();
    created.setAdditionalProperty("status", Map.of("phase", "Running",
        "interfaces", List.of(Map.of("name", "default", "ipAddress", address))));
    vmis.resource(created).updateStatus();
  }
}
