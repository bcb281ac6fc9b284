package dev.lustrecsi.node.health;

import dev.lustrecsi.node.lnet.LnetStatus;
import dev.lustrecsi.node.mount.LustreClient;
import dev.lustrecsi.node.topology.NodeNetworking;
import java.lang.System.Logger.Level;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Whether this node can mount Lustre now: the client (kernel module and mount.lustre) is there
 * and LNet answers. CSI's Probe carries only a bool, so the reason is logged, once per change.
 *
 * <p>Probe answers {@link #probe()}, not {@link #ready()}: the chart's liveness probe restarts the
 * plugin whenever Probe is not ready, and a restart cannot bring LNet back, while it leaves the
 * node's volumes without NodeUnpublish and NodeUnstage until the plugin is back (longer at each
 * restart, as kubelet backs off). So once the node has been able to mount, a later loss is reported
 * by {@link #notReadyReason()} (the metric lustre_csi_node_ready, its alert, the log, and the
 * errors of NodeStageVolume), not by Probe.
 */
public final class Readiness {
  private static final System.Logger LOG = System.getLogger(Readiness.class.getName());

  private final LustreClient client;
  private final NodeNetworking networking;
  private final AtomicReference<String> lastReason = new AtomicReference<>("");
  private volatile boolean wasReady;

  public Readiness(LustreClient client, NodeNetworking networking) {
    this.client = client;
    this.networking = networking;
  }

  /** Why the node cannot mount Lustre, or empty when it can. */
  public Optional<String> notReadyReason() {
    String unavailable = client.unavailableReason();
    if (unavailable != null) {
      return Optional.of("Lustre client: " + unavailable);
    }
    LnetStatus lnet = networking.lnet();
    if (!lnet.ready()) {
      return Optional.of("LNet: " + lnet.reason());
    }
    return Optional.empty();
  }

  public boolean ready() {
    Optional<String> reason = notReadyReason();
    String now = reason.orElse("");
    String before = lastReason.getAndSet(now);
    if (!now.equals(before)) {
      LOG.log(reason.isPresent() ? Level.WARNING : Level.INFO, reason.map(r -> "not ready: " + r).orElse("ready: Lustre client present and LNet answers"));
    }
    if (reason.isEmpty()) {
      wasReady = true;
    }
    return reason.isEmpty();
  }

  /** Probe's answer: ready once the node has been able to mount since the plugin started. */
  public boolean probe() {
    return ready() || wasReady;
  }
}
