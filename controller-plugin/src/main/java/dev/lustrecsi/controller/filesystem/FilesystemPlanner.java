package dev.lustrecsi.controller.filesystem;

import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus.ServerStatus;
import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus.TargetStatus;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Decides a filesystem's layout: which server VMs exist, their addresses, and which server holds
 * each target. A pure function of spec and status that only ever adds: servers, addresses and
 * target indexes already in the status are kept as they are, and the next OST index comes from
 * the status, never from counting objects in the cluster. The reconciler writes the plan to the
 * status before it creates anything, so a crash between the two leaves a plan that the restarted
 * controller carries out, not a second one.
 *
 * <p>Draining is the one way anything leaves, and even then nothing is unplanned: an OST named in
 * {@code spec.drain} is marked for its drain and stops counting towards {@code ostCount} (so a
 * replacement is planned unless the count was lowered too), and keeps its entry, state Removed,
 * once it is gone, so that neither its index nor its server's name and address are used again.
 */
public final class FilesystemPlanner {
  private FilesystemPlanner() {}

  /** Thrown when the plan cannot be made: the spec or the address range does not allow it. */
  public static final class PlanException extends RuntimeException {
    public PlanException(String message) {
      super(message);
    }
  }

  /**
   * @param takenElsewhere the addresses of the other filesystems' servers: one storage network
   *     (the chart's default range, say) serves every filesystem whose StorageClass names no range
   *     of its own, so a new server's address must differ from theirs too
   */
  public static LustreFilesystemStatus plan(LustreFilesystemSpec spec, LustreFilesystemStatus status, Collection<String> takenElsewhere) {
    return plan(spec, status, takenElsewhere, Map.of());
  }

  /**
   * @param claimed addresses this filesystem already claimed, by server name, for servers not in
   *     its status: a pass that claimed them and died before writing its plan. Each such server
   *     takes its claimed address again (if the range still holds it and no one else does), and no
   *     other server takes it, so a retried pass plans what the first one would have and leaves no
   *     claim behind.
   */
  public static LustreFilesystemStatus plan(LustreFilesystemSpec spec, LustreFilesystemStatus status, Collection<String> takenElsewhere,
      Map<String, String> claimed) {
    ResourceNames names = ResourceNames.of(spec.fsName());
    AddressPool pool;
    try {
      pool = AddressPool.parse(spec.storageNetwork() == null ? null : spec.storageNetwork().cidr(),
          spec.storageNetwork() == null ? null : spec.storageNetwork().firstHost());
    } catch (IllegalArgumentException e) {
      throw new PlanException("spec.storageNetwork.cidr " + e.getMessage());
    }
    List<ServerStatus> servers = new ArrayList<>(status.servers());
    List<TargetStatus> targets = new ArrayList<>(status.targets());
    List<String> networks = spec.lnetNetworks() == null || spec.lnetNetworks().isEmpty() ? List.of("tcp") : spec.lnetNetworks();

    Addresses addresses = new Addresses(pool, takenElsewhere, claimed);
    String mgs = ensureServer(servers, names.server(TargetKinds.MGS, 0), TargetKinds.MGS, addresses, networks);
    ensureTarget(targets, spec.fsName(), names, TargetKinds.MGT, 0, mgs);
    String mds = ensureServer(servers, names.server(TargetKinds.MDS, 0), TargetKinds.MDS, addresses, networks);
    ensureTarget(targets, spec.fsName(), names, TargetKinds.MDT, 0, mds);

    markDrains(spec, targets);
    int wanted = spec.ostCount() == null ? 1 : spec.ostCount();
    int perOss = spec.ostsPerOss() == null ? 1 : spec.ostsPerOss();
    long osts = targets.stream().filter(t -> TargetKinds.OST.equals(t.kind()) && t.drain() == null).count();
    while (osts < wanted) {
      int index = targets.stream().filter(t -> TargetKinds.OST.equals(t.kind())).mapToInt(TargetStatus::index).max().orElse(-1) + 1;
      String oss = ossWithRoom(servers, targets, perOss);
      if (oss == null) {
        int number = (int) servers.stream().filter(s -> TargetKinds.OSS.equals(s.role())).count();
        oss = ensureServer(servers, names.server(TargetKinds.OSS, number), TargetKinds.OSS, addresses, networks);
      }
      ensureTarget(targets, spec.fsName(), names, TargetKinds.OST, index, oss);
      osts++;
    }
    return new LustreFilesystemStatus(status.phase(), status.observedGeneration(), status.conditions(), servers, targets,
        (int) osts, status.capacity(), status.used(), status.health(), status.usableBytes(), status.committedBytes(),
        status.usedBytes(), status.nextProjectId(), status.fill(), status.upgrade(), status.draining());
  }

  /** Marks each OST that spec.drain names and that is not draining yet; an index no OST has is refused. */
  private static void markDrains(LustreFilesystemSpec spec, List<TargetStatus> targets) {
    for (int index : spec.drainIndexes()) {
      int at = -1;
      for (int i = 0; i < targets.size(); i++) {
        if (TargetKinds.OST.equals(targets.get(i).kind()) && targets.get(i).index() == index) {
          at = i;
        }
      }
      if (at < 0) {
        throw new PlanException("spec.drain names OST index " + index + ", which this filesystem does not have");
      }
      if (targets.get(at).drain() == null) {
        targets.set(at, targets.get(at).withDrain(DrainStatus.waiting(DrainStatus.NOT_STARTED, null)));
      }
    }
  }

  /** Where new servers' addresses come from, those they must not take, and those claimed for them already. */
  private record Addresses(AddressPool pool, Collection<String> takenElsewhere, Map<String, String> claimed) {}

  private static String ensureServer(List<ServerStatus> servers, String name, String role, Addresses addresses, List<String> networks) {
    for (ServerStatus server : servers) {
      if (server.name().equals(name)) {
        return name;
      }
    }
    List<String> taken = new ArrayList<>(addresses.takenElsewhere());
    servers.forEach(server -> taken.add(server.address()));
    String own = addresses.claimed().get(name);
    List<String> reserved = new ArrayList<>(taken);
    reserved.addAll(addresses.claimed().values());  // each claimed address is kept for the server it was claimed for
    String address = java.util.Optional.ofNullable(own).filter(a -> addresses.pool().holds(a) && !taken.contains(a))
        .or(() -> addresses.pool().next(reserved))
        .orElseThrow(() -> new PlanException("spec.storageNetwork.cidr has no free address left for server " + name
            + (addresses.takenElsewhere().isEmpty() ? "" : " (other filesystems' servers hold " + addresses.takenElsewhere().size()
            + " addresses; give this filesystem a range of its own)")));
    List<String> nids = networks.stream().map(network -> address + "@" + network).toList();
    servers.add(new ServerStatus(name, role, address, nids, ServerStatus.PENDING, null));
    return name;
  }

  private static void ensureTarget(List<TargetStatus> targets, String fsName, ResourceNames names, String kind, int index, String server) {
    for (TargetStatus target : targets) {
      if (target.kind().equals(kind) && target.index() == index) {
        return;
      }
    }
    targets.add(new TargetStatus(TargetKinds.targetName(fsName, kind, index), kind, index, server, names.disk(kind, index),
        TargetStatus.PENDING, null, null));
  }

  private static String ossWithRoom(List<ServerStatus> servers, List<TargetStatus> targets, int perOss) {
    for (ServerStatus server : servers) {
      // A removed OSS is gone for good; an OSS keeps room taken by an OST until its disk is detached.
      if (TargetKinds.OSS.equals(server.role()) && !server.removed()
          && targets.stream().filter(t -> server.name().equals(t.server()) && t.diskAttached()).count() < perOss) {
        return server.name();
      }
    }
    return null;
  }
}
