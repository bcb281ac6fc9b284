package dev.lustrecsi.e2e;

import java.nio.file.Path;
import java.time.Duration;

/**
 * What the real-cluster suite is pointed at, from {@code -De2e.*} system properties. Defaults are
 * those of an install that followed docs/install.md with deploy/helm/examples/tcp.yaml.
 *
 * @param provisioning how long anything that may need server VMs to boot is waited for: the first
 *     volume of a filesystem, its growth, a server's restart
 * @param keepNamespaces leave each test's namespace (and its volumes) behind to look at after a failure
 */
record E2eSettings(Path kubeconfig, String storageClass, String driverNamespace, String image, String snapshotClass,
    Duration provisioning, boolean keepNamespaces) {
  static final String DRIVER = "lustre.csi.lustrecsi.dev";

  static E2eSettings fromSystemProperties() {
    return new E2eSettings(
        Path.of(System.getProperty("e2e.kubeconfig")),
        System.getProperty("e2e.storageClass", "lustre-scratch"),
        System.getProperty("e2e.driverNamespace", "lustre-csi"),
        System.getProperty("e2e.image", "busybox:1.36"),
        System.getProperty("e2e.snapshotClass", "lustre-snapshots"),
        Duration.ofMinutes(Long.getLong("e2e.timeoutMinutes", 20)),
        Boolean.getBoolean("e2e.keepNamespaces"));
  }

  /** Clean-up and anything that needs no VM to boot: deletions, a snapshot of a live filesystem. */
  Duration cleanUp() {
    return Duration.ofMinutes(10);
  }
}
