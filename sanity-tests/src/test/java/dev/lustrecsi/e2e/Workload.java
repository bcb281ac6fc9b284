package dev.lustrecsi.e2e;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;

/**
 * A pod of the suite: one busybox container running {@code script} with a claim at /data.
 *
 * @param readOnlyMount the pod's volume says {@code readOnly: true}: kubelet then publishes the
 *     volume read-only, whatever the claim's access modes
 */
record Workload(String name, String claim, boolean readOnlyMount, String script) {
  static final String MOUNT = "/data";

  static Workload on(String claim, String name, String script) {
    return new Workload(name, claim, false, script);
  }

  Workload readOnly() {
    return new Workload(name, claim, true, script);
  }

  Pod toPod(String namespace, String image) {
    return new PodBuilder()
        .withNewMetadata().withName(name).withNamespace(namespace).addToLabels("app.kubernetes.io/part-of", "lustre-e2e").endMetadata()
        .withNewSpec().withRestartPolicy("Never").withTerminationGracePeriodSeconds(5L)
        .addNewContainer().withName("work").withImage(image).withCommand("sh", "-c", script)
        .addNewVolumeMount().withName("data").withMountPath(MOUNT).endVolumeMount().endContainer()
        .addNewVolume().withName("data").withNewPersistentVolumeClaim().withClaimName(claim).withReadOnly(readOnlyMount)
        .endPersistentVolumeClaim().endVolume()
        .endSpec().build();
  }
}
