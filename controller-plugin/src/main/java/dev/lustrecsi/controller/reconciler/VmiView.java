package dev.lustrecsi.controller.reconciler;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.List;
import java.util.Map;

/**
 * The parts of a VirtualMachineInstance's status the controller reads: phase, the Ready
 * condition, and the address of the pod-network interface (named "default" in the VM) where the
 * agent listens.
 */
public record VmiView(String phase, boolean ready, String podAddress) {
  @SuppressWarnings("unchecked")
  public static VmiView of(GenericKubernetesResource vmi) {
    if (vmi == null || !(vmi.getAdditionalProperties().get("status") instanceof Map<?, ?> status)) {
      return new VmiView("", false, "");
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
    return new VmiView(phase, ready, address);
  }
}
