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
 */
public final class Readiness {
  private static final System.Logger LOG = System.getLogger(Readiness.class.getName());

  private final LustreClient client;
  private final NodeNetworking networking;
  private final AtomicReference<String> lastReason = new AtomicReference<>("");

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
    return reason.isEmpty();
  }
}
