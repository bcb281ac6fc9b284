package dev.lustrecsi.controller.cluster;

import dev.lustrecsi.common.error.CsiException;
import dev.lustrecsi.controller.filesystem.LustreFilesystem;
import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus;
import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus.TargetStatus;
import dev.lustrecsi.controller.filesystem.ResourceNames;
import dev.lustrecsi.controller.filesystem.TargetKinds;
import dev.lustrecsi.controller.reconciler.FilesystemStatusCalculator;
import dev.lustrecsi.controller.reconciler.VmiView;
import dev.lustrecsi.controller.servers.KubeVirt;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Every server VM of a filesystem that holds targets, with its agent's address: what a call that
 * must reach all of them (a filesystem-wide snapshot) needs. Read fresh from the API server each
 * time, because such calls are rare and a server that moved must not be missed.
 */
public final class FilesystemServers {
  /**
   * One server VM.
   *
   * @param targets the names of the targets the filesystem's status places on it
   */
  public record Server(String name, String role, String address, List<String> targets) {}

  /**
   * @param filesystem the LustreFilesystem object's name (it names the agents' certificate)
   * @param mgs the server holding the MGT: it keeps the write barrier
   * @param servers every server holding a target, the MGS among them
   */
  public record Servers(String filesystem, Server mgs, List<Server> servers) {
    public int targetCount() {
      return servers.stream().mapToInt(s -> s.targets().size()).sum();
    }
  }

  private final KubernetesClient client;
  private final String namespace;

  public FilesystemServers(KubernetesClient client, String namespace) {
    this.client = client;
    this.namespace = namespace;
  }

  /**
   * The filesystem's servers. FAILED_PRECONDITION when the filesystem does not exist; UNAVAILABLE
   * while a target is not up or its VM not running or shutting down (its instance being deleted),
   * since a snapshot that missed a target would not be one.
   */
  public Servers of(String fsName) {
    LustreFilesystem filesystem = own(fsName);
    LustreFilesystemStatus status = filesystem.getStatus() == null ? LustreFilesystemStatus.empty() : filesystem.getStatus();
    Map<String, List<String>> targetsByServer = new TreeMap<>();
    for (TargetStatus target : status.targets()) {
      if (!target.inService()) {
        continue;  // drained out of the filesystem: no longer part of what a snapshot must hold
      }
      if (!FilesystemStatusCalculator.UP.equals(target.state())) {
        throw CsiException.unavailable("target " + target.name() + " of filesystem " + fsName + " is " + target.state() + "; retry later");
      }
      targetsByServer.computeIfAbsent(target.server(), s -> new ArrayList<>()).add(target.name());
    }
    List<Server> servers = new ArrayList<>();
    Server mgs = null;
    for (LustreFilesystemStatus.ServerStatus server : status.servers()) {
      List<String> targets = targetsByServer.get(server.name());
      if (targets == null) {
        continue;
      }
      VmiView vmi = VmiView.of(client.genericKubernetesResources(KubeVirt.VIRTUAL_MACHINE_INSTANCES).inNamespace(namespace)
          .withName(server.name()).get());
      if (vmi.shuttingDown()) {
        throw ServerStopping.unavailable(fsName, server.name());
      }
      if (!"Running".equals(vmi.phase()) || vmi.podAddress().isEmpty()) {
        throw CsiException.unavailable("server " + server.name() + " of filesystem " + fsName + " is not running; retry later");
      }
      Server found = new Server(server.name(), server.role(), vmi.podAddress(), List.copyOf(targets));
      servers.add(found);
      if (TargetKinds.MGS.equals(server.role())) {
        mgs = found;
      }
    }
    if (mgs == null) {
      throw CsiException.unavailable("filesystem " + fsName + " has no running MGS yet; retry later");
    }
    return new Servers(filesystem.getMetadata().getName(), mgs, List.copyOf(servers));
  }

  /**
   * FAILED_PRECONDITION unless the filesystem exists and its servers are the driver's: checked
   * before a snapshot is recorded, since a record of one that can never be taken would stay.
   */
  public void requireOwn(String fsName) {
    own(fsName);
  }

  /** Whether the filesystem is one the site runs: none of the driver's snapshots can be on it. */
  public boolean runBySite(String fsName) {
    LustreFilesystem filesystem = read(fsName);
    return filesystem != null && filesystem.getSpec().runBySite();
  }

  private LustreFilesystem own(String fsName) {
    LustreFilesystem filesystem = read(fsName);
    if (filesystem == null) {
      throw CsiException.failedPrecondition("filesystem " + fsName + " has no LustreFilesystem resource in " + namespace);
    }
    if (filesystem.getSpec().runBySite()) {
      // Its targets are the site's, not ZFS datasets on servers of ours with agents beside them.
      throw CsiException.failedPrecondition("filesystem " + fsName + " is run by the site (spec.external): snapshots are taken only of"
          + " filesystems whose servers the driver runs");
    }
    return filesystem;
  }

  private LustreFilesystem read(String fsName) {
    return client.resources(LustreFilesystem.class).inNamespace(namespace).withName(ResourceNames.of(fsName).filesystem()).get();
  }
}
