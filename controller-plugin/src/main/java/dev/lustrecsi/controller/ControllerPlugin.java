package dev.lustrecsi.controller;

import dev.lustrecsi.common.grpc.CsiServer;
import dev.lustrecsi.common.grpc.Endpoint;
import dev.lustrecsi.common.identity.IdentityService;
import dev.lustrecsi.common.identity.PluginInfo;
import dev.lustrecsi.controller.csi.ControllerService;
import dev.lustrecsi.controller.csi.VolumePages;
import dev.lustrecsi.controller.lustre.LustreBackend;
import dev.lustrecsi.controller.volume.FileVolumeJournal;
import dev.lustrecsi.controller.volume.VolumeJournal;
import dev.lustrecsi.controller.volume.VolumeProvisioner;
import java.nio.file.Path;
import java.util.List;

/** Wires the controller plugin: journal, provisioner, and the Identity and Controller services on one socket. */
public final class ControllerPlugin {
  private ControllerPlugin() {}

  /** Starts serving; the caller closes the server to stop. */
  public static CsiServer start(Endpoint endpoint, Path journalDir, LustreBackend backend) {
    return start(endpoint, new FileVolumeJournal(journalDir), backend, provisioner -> {});
  }

  /**
   * Starts serving on a journal of the caller's choosing; {@code provisionerReady} hears the
   * provisioner before the first call (the reconciler reads committed capacity from it).
   */
  public static CsiServer start(Endpoint endpoint, VolumeJournal journal, LustreBackend backend,
      java.util.function.Consumer<VolumeProvisioner> provisionerReady) {
    VolumeProvisioner provisioner = new VolumeProvisioner(journal, backend);
    provisionerReady.accept(provisioner);
    IdentityService identity = new IdentityService(PluginInfo.current(), provisioner::backendReachable);
    return CsiServer.start(endpoint, List.of(identity, new ControllerService(provisioner, new VolumePages(journal))));
  }
}
