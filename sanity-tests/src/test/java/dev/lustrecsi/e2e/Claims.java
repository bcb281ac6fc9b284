package dev.lustrecsi.e2e;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * PVCs of one namespace. Nothing here waits for a claim to bind before a pod uses it: a
 * StorageClass with {@code WaitForFirstConsumer} binds only once a pod is scheduled.
 */
final class Claims {
  private final KubernetesClient client;
  private final String namespace;
  private final E2eSettings settings;

  Claims(KubernetesClient client, String namespace, E2eSettings settings) {
    this.client = client;
    this.namespace = namespace;
    this.settings = settings;
  }

  void create(ClaimRequest request) {
    client.persistentVolumeClaims().inNamespace(namespace).resource(request.toClaim(namespace)).create();
  }

  PersistentVolumeClaim get(String name) {
    return client.persistentVolumeClaims().inNamespace(namespace).withName(name).get();
  }

  PersistentVolumeClaim awaitBound(String name) {
    return waitFor("PVC " + name + " to be Bound", name).until(() -> get(name),
        claim -> claim.getStatus() != null && "Bound".equals(claim.getStatus().getPhase()), Claims::describe);
  }

  /** The PV of a bound claim. */
  PersistentVolume volumeOf(String name) {
    String volume = awaitBound(name).getSpec().getVolumeName();
    return client.persistentVolumes().withName(volume).get();
  }

  void resize(String name, String size) {
    client.persistentVolumeClaims().inNamespace(namespace).withName(name).edit(claim -> {
      claim.getSpec().getResources().getRequests().put("storage", new Quantity(size));
      return claim;
    });
  }

  /** Waits until the claim's status reports {@code size}: the resizer has had the controller raise the quota. */
  PersistentVolumeClaim awaitCapacity(String name, String size) {
    Quantity wanted = new Quantity(size);
    return waitFor("PVC " + name + " to report capacity " + size, name).until(() -> get(name),
        claim -> claim.getStatus() != null && claim.getStatus().getCapacity() != null
            && amount(claim.getStatus().getCapacity().get("storage")) != null
            && Quantity.getAmountInBytes(wanted).compareTo(amount(claim.getStatus().getCapacity().get("storage"))) == 0,
        Claims::describe);
  }

  void delete(String name) {
    client.persistentVolumeClaims().inNamespace(namespace).withName(name).delete();
  }

  private static java.math.BigDecimal amount(Quantity quantity) {
    return quantity == null ? null : Quantity.getAmountInBytes(quantity);
  }

  private Wait waitFor(String what, String claim) {
    // The provisioner and resizer say why a claim waits only in its Events (ProvisioningFailed, VolumeResizeFailed).
    return Wait.forThat(what, settings.provisioning()).withDiagnostics(() -> EventLog.recent(client, namespace, claim));
  }

  private static String describe(PersistentVolumeClaim claim) {
    var status = claim.getStatus();
    return status == null ? "no status yet"
        : "phase " + status.getPhase() + ", capacity " + status.getCapacity() + ", conditions " + status.getConditions();
  }
}
