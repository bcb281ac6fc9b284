package dev.lustrecsi.controller.reconciler;

import dev.lustrecsi.controller.filesystem.LustreFilesystem;
import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus.ServerStatus;
import dev.lustrecsi.controller.servers.ObjectMeta;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Storage-network addresses claimed across controller replicas. Every replica serves CSI calls
 * and runs the passes they need, so two processes may plan new servers of two filesystems at
 * once, and a lock in one process cannot keep them apart: each would read the other's status
 * before it was written and take the same address (and with it the same MAC). A
 * new server's address is claimed first by creating an object named after it, which the API
 * server makes only once; the claim names the filesystem and server, so a pass retried after a
 * crash finds its own claim, and it is owned by the filesystem, so it goes when the filesystem
 * (whose status holds the address) goes. A Lease, because the controller may already make them.
 */
final class AddressClaims {
  static final String PREFIX = "lustre-csi-address-";
  static final String COMPONENT = "address-claim";

  private final KubernetesClient client;
  private final String namespace;

  AddressClaims(KubernetesClient client, String namespace) {
    this.client = client;
    this.namespace = namespace;
  }

  /**
   * The addresses this filesystem holds claims on, by server name: read before planning new
   * servers, so that a server whose claim was made by a pass that died before writing its plan
   * takes that address again, rather than another one beside a claim nobody would let go.
   * Only claims owned by this very filesystem (its uid) count: those of a deleted namesake are
   * on their way out with it.
   */
  Map<String, String> held(LustreFilesystem filesystem) {
    String holderPrefix = filesystem.getMetadata().getName() + "/";
    String uid = filesystem.getMetadata().getUid();
    Map<String, String> held = new TreeMap<>();
    for (Lease claim : client.leases().inNamespace(namespace).withLabel(ObjectMeta.FILESYSTEM_LABEL, filesystem.getMetadata().getName())
        .withLabel(ObjectMeta.COMPONENT_LABEL, COMPONENT).list().getItems()) {
      String holder = claim.getSpec() == null ? null : claim.getSpec().getHolderIdentity();
      boolean ours = claim.getMetadata().getOwnerReferences().stream().anyMatch(o -> o.getUid().equals(uid));
      if (ours && holder != null && holder.startsWith(holderPrefix) && claim.getMetadata().getName().startsWith(PREFIX)) {
        held.put(holder.substring(holderPrefix.length()), claim.getMetadata().getName().substring(PREFIX.length()).replace('-', '.'));
      }
    }
    return held;
  }

  /** Claims the server's address for it; the holder of a claim someone else made first, else empty. */
  Optional<String> claim(LustreFilesystem filesystem, ServerStatus server) {
    String holder = filesystem.getMetadata().getName() + "/" + server.name();
    String name = PREFIX + server.address().replace('.', '-');
    Lease claim = new LeaseBuilder()
        .withNewMetadata().withName(name).withNamespace(namespace).withLabels(ObjectMeta.labels(filesystem, COMPONENT))
        .withOwnerReferences(ObjectMeta.ownedBy(filesystem)).endMetadata()
        .withNewSpec().withHolderIdentity(holder).endSpec()
        .build();
    try {
      client.leases().inNamespace(namespace).resource(claim).create();
      return Optional.empty();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
    }
    Lease existing = client.leases().inNamespace(namespace).withName(name).get();
    String held = existing == null || existing.getSpec() == null ? null : existing.getSpec().getHolderIdentity();
    // Gone again since (its filesystem deleted): taken all the same this time, the next pass may have it.
    return holder.equals(held) ? Optional.empty() : Optional.of(held == null ? "another filesystem" : held);
  }
}
