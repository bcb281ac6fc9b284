package dev.lustrecsi.controller.cluster;

import dev.lustrecsi.common.error.CsiException;

/**
 * The answer to a CSI call that needs a server whose instance is being deleted (a restart by a
 * rolling upgrade, an eviction, an admin's delete). KubeVirt keeps such an instance Running, and
 * its agent may still answer, while the guest shuts down and unmounts its targets: whatever it
 * answered then would be a failure of the moment, so the call is not sent and the caller is told
 * to retry, as the external-provisioner does with UNAVAILABLE.
 */
final class ServerStopping {
  private ServerStopping() {}

  static CsiException unavailable(String fsName, String server) {
    return CsiException.unavailable("server " + server + " of filesystem " + fsName + " is stopping: its instance is being deleted"
        + " (restarted by a rolling upgrade, say) and its agent is going away; retry later, once its new instance runs");
  }
}
