package dev.lustrecsi.controller.cluster;

import dev.lustrecsi.common.concurrent.WaitingLocks;
import dev.lustrecsi.controller.filesystem.LustreFilesystem;
import dev.lustrecsi.controller.reconciler.FilesystemReconciler;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Runs reconcile passes: on demand (CreateVolume wants a filesystem or more OSTs) and every
 * interval for every LustreFilesystem (health, VMs restarted by KubeVirt), one pass per
 * filesystem at a time. Periodic passes run only while this replica leads, so two controllers
 * never act on the same filesystem together; a pass that lost a write race (409) is run again.
 */
public final class Reconciliations implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(Reconciliations.class.getName());

  private final KubernetesClient client;
  private final String namespace;
  private final FilesystemReconciler reconciler;
  // Waited for, unlike the CSI calls' locks: a pass waits for the one in progress instead of failing.
  private final WaitingLocks locks = new WaitingLocks();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("reconcile").factory());

  public Reconciliations(KubernetesClient client, String namespace, FilesystemReconciler reconciler) {
    this.client = client;
    this.namespace = namespace;
    this.reconciler = reconciler;
  }

  /** One pass now over the named filesystem. */
  public Optional<LustreFilesystem> reconcile(String name) {
    try (var held = locks.acquire(name)) {
      for (int attempt = 1; ; attempt++) {
        try {
          return reconciler.reconcile(name);
        } catch (KubernetesClientException e) {
          if (e.getCode() != 409 || attempt == 3) {
            throw e;
          }
        }
      }
    }
  }

  /** Starts periodic passes over every filesystem, each {@code interval}, while {@code leading} says so. */
  public void startPeriodic(Duration interval, BooleanSupplier leading) {
    timer.scheduleWithFixedDelay(() -> {
      if (!leading.getAsBoolean()) {
        return;
      }
      try {
        for (LustreFilesystem filesystem : client.resources(LustreFilesystem.class).inNamespace(namespace).list().getItems()) {
          try {
            reconcile(filesystem.getMetadata().getName());
          } catch (RuntimeException e) {
            if (timer.isShutdown()) {
              return;  // cut short by close(), which interrupts the pass: the plugin is stopping, nothing failed
            }
            LOG.log(Level.WARNING, "reconcile of " + filesystem.getMetadata().getName() + " failed: " + e.getMessage());
          }
        }
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "listing LustreFilesystems failed: " + e.getMessage());
      }
    }, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
