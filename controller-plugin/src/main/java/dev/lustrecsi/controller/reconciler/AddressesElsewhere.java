package dev.lustrecsi.controller.reconciler;

import dev.lustrecsi.controller.filesystem.LustreFilesystem;
import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus.ServerStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Set;
import java.util.TreeSet;

/**
 * The storage-network addresses the driver's other filesystems hold: one range (the chart's
 * default) serves every filesystem whose StorageClass names none of its own, so a new server's
 * address must differ from every server's the driver runs, not only from its own filesystem's.
 * Read from the API server, not a cache: an address planned a moment ago must be seen. Removed
 * servers count too, as their addresses are never given again (Lustre keeps NIDs in its logs).
 */
public final class AddressesElsewhere {
  private AddressesElsewhere() {}

  /** The addresses of the servers of every filesystem but {@code except} that the driver runs (not the site's). */
  public static Set<String> of(KubernetesClient client, String namespace, String except) {
    Set<String> taken = new TreeSet<>();
    for (LustreFilesystem other : client.resources(LustreFilesystem.class).inNamespace(namespace).list().getItems()) {
      if (other.getMetadata().getName().equals(except) || other.getSpec() == null || other.getSpec().runBySite()
          || other.getStatus() == null) {
        continue;
      }
      other.getStatus().servers().stream().map(ServerStatus::address).forEach(taken::add);
    }
    return taken;
  }
}
