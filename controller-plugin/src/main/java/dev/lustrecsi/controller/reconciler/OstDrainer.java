package dev.lustrecsi.controller.reconciler;

import dev.lustrecsi.agent.v1.GetTargetUsageResponse;
import dev.lustrecsi.agent.v1.MigrateOstFilesRequest;
import dev.lustrecsi.agent.v1.MigrateOstFilesResponse;
import dev.lustrecsi.agent.v1.TargetUsage;
import dev.lustrecsi.common.error.CsiException;
import dev.lustrecsi.common.volume.Sizes;
import dev.lustrecsi.controller.filesystem.DrainStatus;
import dev.lustrecsi.controller.filesystem.LustreFilesystem;
import dev.lustrecsi.controller.filesystem.LustreFilesystemSpec;
import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus;
import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus.ServerStatus;
import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus.TargetStatus;
import dev.lustrecsi.controller.filesystem.ResourceNames;
import dev.lustrecsi.controller.filesystem.TargetKinds;
import dev.lustrecsi.controller.lustre.FilesystemState;
import dev.lustrecsi.controller.servers.KubeVirt;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Carries each OST named in {@code spec.drain} through its drain, as far as it can go in one pass:
 * capacity checked, new objects stopped (MDS), files migrated one batch per pass (the pace an
 * admin sets with {@code spec.drainBatchFiles}), emptiness confirmed by a find that finds nothing,
 * deactivated and deleted from the configuration (MGS), unmounted (OSS), its disk detached and
 * deleted, and an OSS left with no OST deleted with it.
 *
 * <p>Each step is written to the status once it is done, and every step may run twice, so a
 * controller that dies anywhere resumes at the step the status names. The two deletions are
 * written before they are made (Detaching, a server Removed), so that no pass recreates what
 * the drain is taking away.
 */
final class OstDrainer {
  /** What the reconciler lends the drainer: status writes and VM updates, done its way. */
  interface Host {
    LustreFilesystem writeStatus(LustreFilesystem filesystem, LustreFilesystemStatus status);

    /** Makes the server's VM (and cloud-init) match the plan: drained disks no longer attached. */
    void ensureServer(LustreFilesystem filesystem, LustreFilesystemStatus plan, ServerStatus server);
  }

  /** Seconds a migration batch may start files for: well inside the agent call's deadline. */
  static final int BATCH_SECONDS = 5;

  private final KubernetesClient client;
  private final String namespace;
  private final ServerAgents agents;
  private final FilesystemEvents events;
  private final Clock clock;
  private final Host host;

  OstDrainer(KubernetesClient client, String namespace, ServerAgents agents, FilesystemEvents events, Clock clock, Host host) {
    this.client = client;
    this.namespace = namespace;
    this.agents = agents;
    this.events = events;
    this.clock = clock;
    this.host = host;
  }

  /** Thrown to end a target's progress for this pass: what it waits for is already recorded. */
  private static final class Stop extends Exception {
    Stop() {
      super(null, null, false, false);
    }
  }

  /** The pass's view: the filesystem as last written, and where its agents answer. */
  private final class Pass {
    LustreFilesystem filesystem;
    final Map<String, ServerObservation> seen;
    final Optional<GetTargetUsageResponse> usage;

    Pass(LustreFilesystem filesystem, Map<String, ServerObservation> seen, Optional<GetTargetUsageResponse> usage) {
      this.filesystem = filesystem;
      this.seen = seen;
      this.usage = usage;
    }

    LustreFilesystemStatus status() {
      return filesystem.getStatus();
    }

    String fsName() {
      return filesystem.getSpec().fsName();
    }

    String name() {
      return filesystem.getMetadata().getName();
    }

    /** The pod address of the server with this role (or name) whose agent answered this pass. */
    String address(String server) throws Stop {
      ServerObservation observation = seen.get(server);
      if (observation == null || observation.agent().isEmpty()) {
        throw new Stop();  // its state in the status already says why it does not answer
      }
      return observation.podAddress();
    }

    String roleServer(String role) throws Stop {
      return status().servers().stream().filter(s -> role.equals(s.role())).map(ServerStatus::name).findFirst()
          .orElseThrow(Stop::new);
    }

    void update(TargetStatus target, DrainStatus drain) {
      List<TargetStatus> targets = new ArrayList<>(status().targets());
      // A target leaving service says so at once; the rest of the status is the next pass's to recompute.
      targets.replaceAll(t -> t.kind().equals(target.kind()) && t.index() == target.index()
          ? (t.withDrain(drain).inService() ? t.withDrain(drain) : FilesystemStatusCalculator.leaving(t.withDrain(drain))) : t);
      filesystem = host.writeStatus(filesystem, status().withLayout(status().servers(), targets));
    }

    TargetStatus current(TargetStatus target) {
      return status().targets().stream().filter(t -> t.kind().equals(target.kind()) && t.index() == target.index()).findFirst().orElseThrow();
    }
  }

  /** Advances every drain as far as it goes this pass; returns the filesystem as last written. */
  LustreFilesystem advance(LustreFilesystem filesystem, Map<String, ServerObservation> seen, Optional<GetTargetUsageResponse> usage) {
    Pass pass = new Pass(filesystem, seen, usage);
    List<TargetStatus> draining = pass.status().targets().stream()
        .filter(t -> TargetKinds.OST.equals(t.kind()) && t.drain() != null && !DrainStatus.REMOVED.equals(t.drain().step())).toList();
    for (TargetStatus target : draining) {
      try {
        drain(pass, target);
      } catch (Stop stop) {
        // This OST waits for its next pass; the others go on.
      }
    }
    removeEmptyServers(pass);
    return pass.filesystem;
  }

  private void drain(Pass pass, TargetStatus target) throws Stop {
    boolean foundEmptyThisPass = false;
    while (true) {
      TargetStatus now = pass.current(target);
      DrainStatus drain = now.drain();
      switch (drain.step()) {
        case DrainStatus.WAITING -> start(pass, now);
        case DrainStatus.MIGRATING -> {
          migrate(pass, now);
          foundEmptyThisPass = true;
        }
        case DrainStatus.REMOVING -> {
          String mgs = pass.address(pass.roleServer(TargetKinds.MGS));
          if (!foundEmptyThisPass && !call(pass, now, () -> agents.ostRemoved(pass.name(), mgs, pass.fsName(), now.index()))) {
            stillEmpty(pass, now);
          }
          boolean already = call(pass, now, () -> agents.removeOst(pass.name(), mgs, pass.fsName(), now.index()));
          // Progress is written before it is told: an Event lost to a crash is a line missing from
          // `kubectl describe`; progress lost would be a step done twice.
          pass.update(now, drain.at(DrainStatus.RELEASING, now()));
          events.normal(pass.filesystem, "OstRemoved", now.name() + (already ? " was already" : " is now")
              + " deactivated for good and deleted from the configuration logs (del_ost)");
        }
        case DrainStatus.RELEASING -> {
          call(pass, now, () -> {
            agents.releaseOst(pass.name(), pass.address(now.server()), pass.fsName(), now.index());
            return null;
          });
          pass.update(now, drain.at(DrainStatus.DETACHING, now()));  // written before the disk is let go
        }
        case DrainStatus.DETACHING -> {
          // Released again right before the disk goes: the VM's setup timer may have mounted it
          // again since (it mounts every attached disk it knows), and a mounted disk must not be pulled.
          ServerStatus oss = server(pass, now);
          if (!oss.removed()) {
            call(pass, now, () -> {
              agents.releaseOst(pass.name(), pass.address(now.server()), pass.fsName(), now.index());
              return null;
            });
          }
          detach(pass, now);
          pass.update(now, drain.at(DrainStatus.REMOVED, now()));
          events.normal(pass.filesystem, "OstDrained", now.name() + " is removed; its disk " + now.disk() + " is deleted");
          return;
        }
        default -> throw new IllegalStateException("unknown drain step " + drain.step() + " of " + now.name());
      }
    }
  }

  /** Waiting: starts once the OSTs that stay can take the data, else says what is short. */
  private void start(Pass pass, TargetStatus target) throws Stop {
    if (pass.usage.isEmpty()) {
      throw new Stop();  // no lfs df this pass: capacity cannot be judged
    }
    LustreFilesystemSpec spec = pass.filesystem.getSpec();
    long backedPerOst = FilesystemState.backedPerOst(Sizes.parse(spec.ostSize()), spec.overcommit() == null ? 1.0 : spec.overcommit());
    Optional<String> shortfall = DrainCapacity.shortfall(pass.status().targets(), pass.usage.get(),
        pass.status().committedBytes() == null ? 0 : pass.status().committedBytes(), backedPerOst);
    if (shortfall.isPresent()) {
      if (!shortfall.get().equals(target.drain().message())) {
        pass.update(target, DrainStatus.waiting(shortfall.get(), now()));
        events.warning(pass.filesystem, DrainSummary.INSUFFICIENT_CAPACITY, "not draining " + target.name() + ": " + shortfall.get());
      }
      throw new Stop();
    }
    String mds = pass.address(pass.roleServer(TargetKinds.MDS));
    call(pass, target, () -> {
      agents.stopOstCreation(pass.name(), mds, pass.fsName(), target.index());
      return null;
    });
    pass.update(target, new DrainStatus(DrainStatus.MIGRATING, null, 0L, null, bytesOn(pass, target), null, now()));
    events.normal(pass.filesystem, "DrainStarted", "no new objects on " + target.name() + "; migrating its files, "
        + spec.drainBatch() + " per pass");
  }

  /** Migrating: one batch this pass; a batch that finds nothing means the OST is empty. */
  private void migrate(Pass pass, TargetStatus target) throws Stop {
    MigrateOstFilesResponse batch = batch(pass, target);
    long migrated = migrated(target, batch);
    if (batch.getFilesFound() == 0) {
      pass.update(target, new DrainStatus(DrainStatus.REMOVING, 0L, migrated, 0L, bytesOn(pass, target), null, now()));
      events.normal(pass.filesystem, "OstEmpty", target.name() + " holds no file any more (" + migrated + " migrated); removing it");
      return;
    }
    String failure = batch.getFilesStuckInPool() > 0 ? PoolBlock.message(target.name(), batch)
        : batch.getFirstFailure().isEmpty() ? null : batch.getFilesFailed() + " not migrated this pass: " + batch.getFirstFailure();
    if (batch.getFilesStuckInPool() > 0 && !failure.equals(target.drain().message())) {
      events.warning(pass.filesystem, PoolBlock.REASON, target.name() + ": " + failure);
    }
    pass.update(target, new DrainStatus(DrainStatus.MIGRATING, batch.getFilesFound() - batch.getFilesMigrated(), migrated,
        batch.getFilesFailed(), bytesOn(pass, target), failure, target.drain().since()));
    throw new Stop();  // one batch per pass: the pace of the drain
  }

  /**
   * Removing, when the find that found the OST empty was an earlier pass's (the MGS did not answer
   * then, or the controller stopped): the MDS may have mounted its MDT again since, after a crash
   * or an upgrade, and forgotten max_create_count=0, so new files may have objects on the OST.
   * Deactivating it would cut them off for good. So creation is stopped again and the OST looked
   * at again, as a migration batch; files found send the drain back to Migrating.
   */
  private void stillEmpty(Pass pass, TargetStatus target) throws Stop {
    MigrateOstFilesResponse batch = batch(pass, target);
    if (batch.getFilesFound() == 0) {
      return;
    }
    long migrated = migrated(target, batch);
    pass.update(target, new DrainStatus(DrainStatus.MIGRATING, batch.getFilesFound() - batch.getFilesMigrated(), migrated,
        batch.getFilesFailed(), bytesOn(pass, target), batch.getFilesFound() + " files have objects on it again (new since it was"
        + " found empty: the MDS forgot max_create_count=0 when its MDT was mounted again); migrating them before it is removed",
        now()));
    events.warning(pass.filesystem, "OstNotEmpty", target.name() + " holds " + batch.getFilesFound()
        + " files again since it was found empty; migrating them before removing it");
    throw new Stop();
  }

  /** One batch on the MDS, creation stopped again first: max_create_count=0 is lost when the MDT is mounted again. */
  private MigrateOstFilesResponse batch(Pass pass, TargetStatus target) throws Stop {
    String mds = pass.address(pass.roleServer(TargetKinds.MDS));
    return call(pass, target, () -> {
      agents.stopOstCreation(pass.name(), mds, pass.fsName(), target.index());
      return agents.migrateOstFiles(pass.name(), mds, MigrateOstFilesRequest.newBuilder().setFsName(pass.fsName())
          .setOstIndex(target.index()).setMaxFiles(pass.filesystem.getSpec().drainBatch()).setMaxSeconds(BATCH_SECONDS).build());
    });
  }

  private static long migrated(TargetStatus target, MigrateOstFilesResponse batch) {
    return (target.drain().filesMigrated() == null ? 0 : target.drain().filesMigrated()) + batch.getFilesMigrated();
  }

  /** Detaching: the VM without the disk first, then the disk; both may already be done. */
  private static ServerStatus server(Pass pass, TargetStatus target) {
    return pass.status().servers().stream().filter(s -> s.name().equals(target.server())).findFirst().orElseThrow();
  }

  private void detach(Pass pass, TargetStatus target) {
    ServerStatus server = server(pass, target);
    if (!server.removed()) {
      host.ensureServer(pass.filesystem, pass.status(), server);
    }
    deleteIfPresent(client.persistentVolumeClaims().inNamespace(namespace).withName(target.disk()));
  }

  /** Looked at before it is deleted: a pass over a drain long finished makes no write. */
  private static void deleteIfPresent(io.fabric8.kubernetes.client.dsl.Resource<?> resource) {
    if (resource.get() != null) {
      resource.delete();
    }
  }

  /**
   * An OSS whose every OST has been detached has nothing left to serve: it is marked Removed
   * (written first, so that no pass makes its VM again), then its VM and cloud-init go.
   */
  private void removeEmptyServers(Pass pass) {
    for (ServerStatus server : pass.status().servers()) {
      if (!TargetKinds.OSS.equals(server.role())) {
        continue;
      }
      List<TargetStatus> targets = pass.status().targets().stream().filter(t -> t.server().equals(server.name())).toList();
      boolean empty = !targets.isEmpty() && targets.stream().noneMatch(TargetStatus::diskAttached);
      if (!empty) {
        continue;
      }
      if (!server.removed()) {
        List<ServerStatus> servers = new ArrayList<>(pass.status().servers());
        servers.replaceAll(s -> s.name().equals(server.name()) ? s.withState(ServerStatus.REMOVED, "every OST it served was drained") : s);
        pass.filesystem = host.writeStatus(pass.filesystem, pass.status().withLayout(servers, pass.status().targets()));
        events.normal(pass.filesystem, "ServerRemoved", "deleting VirtualMachine " + server.name() + ": every OST it served was drained");
      }
      // Every pass looks again: a repeat after a crash finishes the job.
      deleteIfPresent(client.genericKubernetesResources(KubeVirt.VIRTUAL_MACHINES).inNamespace(namespace).withName(server.name()));
      deleteIfPresent(client.secrets().inNamespace(namespace).withName(ResourceNames.of(pass.fsName()).cloudInitSecret(server.name())));
    }
  }

  private interface AgentCall<T> {
    T call() throws ServerAgents.AgentUnavailableException, Stop;
  }

  /** An agent call; an agent that refuses leaves its reason in the drain's message and an Event. */
  private <T> T call(Pass pass, TargetStatus target, AgentCall<T> call) throws Stop {
    try {
      return call.call();
    } catch (ServerAgents.AgentUnavailableException e) {
      throw new Stop();  // the server's state says it is not answering; the next pass tries again
    } catch (CsiException e) {
      String message = target.drain().step() + " failed: " + e.getMessage();
      if (DrainStatus.WAITING.equals(target.drain().step())) {
        // A waiting drain's message is its capacity verdict; a refusal before the start is told by the Event alone.
        events.warning(pass.filesystem, "DrainStepFailed", target.name() + ": " + message);
      } else if (!message.equals(target.drain().message())) {
        DrainStatus drain = target.drain();
        pass.update(target, new DrainStatus(drain.step(), drain.filesLeft(), drain.filesMigrated(), drain.filesFailed(), drain.bytesLeft(),
            message, drain.since()));
        events.warning(pass.filesystem, "DrainStepFailed", target.name() + ": " + message);
      }
      throw new Stop();
    }
  }

  private static Long bytesOn(Pass pass, TargetStatus target) {
    return pass.usage.flatMap(u -> u.getTargetsList().stream().filter(t -> t.getUuid().equals(target.name() + "_UUID")).findFirst())
        .map(TargetUsage::getUsedBytes).orElse(target.usedBytes());
  }

  private String now() {
    return clock.instant().toString();
  }
}
