package dev.lustrecsi.controller.reconciler;

import dev.lustrecsi.controller.servers.ServerVirtualMachines;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.List;
import java.util.Map;

/**
 * The parts of a VirtualMachineInstance the controller reads: phase, the Ready condition, the
 * address of the pod-network interface (named "default" in the VM) where the agent listens, the
 * server image it booted from (its spec is the VM's template as it was when it started, so this
 * is what runs, whatever the VM's template says now), its uid (which instance this is: KubeVirt
 * starts each new one under the VM's name) and whether it is being deleted.
 *
 * @param shuttingDown whether the instance is being deleted (metadata.deletionTimestamp): KubeVirt
 *     keeps it, phase Running and Ready, while the guest shuts down, for up to the VM's
 *     terminationGracePeriodSeconds; it is on its way out, whatever its phase says
 */
public record VmiView(String phase, boolean ready, String podAddress, String image, String uid, boolean shuttingDown) {
  @SuppressWarnings("unchecked")
  public static VmiView of(GenericKubernetesResource vmi) {
    if (vmi == null) {
      return new VmiView("", false, "", "", "", false);
    }
    String image = vmi.getAdditionalProperties().get("spec") instanceof Map<?, ?> spec
        ? ServerVirtualMachines.rootImage(spec).orElse("") : "";
    String uid = vmi.getMetadata() == null || vmi.getMetadata().getUid() == null ? "" : vmi.getMetadata().getUid();
    boolean shuttingDown = vmi.getMetadata() != null && vmi.getMetadata().getDeletionTimestamp() != null;
    if (!(vmi.getAdditionalProperties().get("status") instanceof Map<?, ?> status)) {
      return new VmiView("", false, "", image, uid, shuttingDown);
    }
    String phase = status.get("phase") instanceof String p ? p : "";
    boolean ready = false;
    if (status.get("conditions") instanceof List<?> conditions) {
      for (Object item : conditions) {
        Map<String, Object> condition = (Map<String, Object>) item;
        if ("Ready".equals(condition.get("type")) && "True".equals(condition.get("status"))) {
          ready = true;
        }
      }
    }
    String address = "";
    if (status.get("interfaces") instanceof List<?> interfaces) {
      for (Object item : interfaces) {
        Map<String, Object> iface = (Map<String, Object>) item;
        if ("default".equals(iface.get("name")) && iface.get("ipAddress") instanceof String ip) {
          address = ip;
        }
      }
    }
    return new VmiView(phase, ready, address, image, uid, shuttingDown);
  }
}
