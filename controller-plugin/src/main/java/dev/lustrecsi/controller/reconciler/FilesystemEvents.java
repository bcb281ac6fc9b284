package dev.lustrecsi.controller.reconciler;

import dev.lustrecsi.controller.filesystem.LustreFilesystem;
import dev.lustrecsi.controller.filesystem.LustreFilesystemStatus;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.util.UUID;

/** Kubernetes Events on a LustreFilesystem, so `kubectl describe` tells its story. */
final class FilesystemEvents {
  private static final System.Logger LOG = System.getLogger(FilesystemEvents.class.getName());
  private final KubernetesClient client;
  private final String namespace;
  private final Clock clock;

  FilesystemEvents(KubernetesClient client, String namespace, Clock clock) {
    this.client = client;
    this.namespace = namespace;
    this.clock = clock;
  }

  void phaseChanged(LustreFilesystem filesystem, String from, LustreFilesystemStatus now) {
    String message = "phase " + (from == null ? "(new)" : from) + " -> " + now.phase() + ": "
        + now.conditions().getFirst().message();
    if (FilesystemStatusCalculator.DEGRADED.equals(now.phase())) {
      warning(filesystem, "Degraded", message);
    } else {
      normal(filesystem, now.phase(), message);
    }
  }

  void normal(LustreFilesystem filesystem, String reason, String message) {
    record(filesystem, "Normal", reason, message);
  }

  void warning(LustreFilesystem filesystem, String reason, String message) {
    record(filesystem, "Warning", reason, message);
  }

  private void record(LustreFilesystem filesystem, String type, String reason, String message) {
    LOG.log(System.Logger.Level.INFO, "{0} {1}: {2}", filesystem.getMetadata().getName(), reason, message);
    String now = clock.instant().toString();
    var event = new EventBuilder()
        .withNewMetadata().withNamespace(namespace)
        .withName(filesystem.getMetadata().getName() + "." + UUID.randomUUID().toString().substring(0, 8)).endMetadata()
        .withInvolvedObject(new ObjectReferenceBuilder().withApiVersion(LustreFilesystem.API_VERSION).withKind("LustreFilesystem")
            .withNamespace(namespace).withName(filesystem.getMetadata().getName()).withUid(filesystem.getMetadata().getUid()).build())
        .withType(type).withReason(reason).withMessage(message)
        .withFirstTimestamp(now).withLastTimestamp(now).withCount(1)
        .withNewSource().withComponent("lustre-csi-controller").endSource()
        .build();
    try {
      client.v1().events().inNamespace(namespace).resource(event).create();
    } catch (KubernetesClientException e) {
      // Events are for people; a lost one must never fail a reconcile.
      LOG.log(System.Logger.Level.WARNING, "could not record event: {0}", e.getMessage());
    }
  }
}
