package dev.lustrecsi.kubevirt.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lustrecsi.kubevirt.simulator.api.MutatingAdmission;

/**
 * What KubeVirt's mutating webhook stores in every VirtualMachine it admits, where the driver
 * leaves it unset: the machine type and the guest architecture of the cluster (q35 on amd64). The
 * controller then reads back VMs holding fields it never wrote, as on a real cluster, and must
 * not take them for changes to undo (each pass would rewrite every VM).
 */
public final class KubeVirtDefaults implements MutatingAdmission {
  static final String MACHINE_TYPE = "q35";
  static final String ARCHITECTURE = "amd64";

  @Override
  public void admit(String group, String plural, ObjectNode object) {
    if (!group.equals("kubevirt.io") || !plural.equals("virtualmachines")) {
      return;
    }
    JsonNode template = object.path("spec").path("template").path("spec");
    if (!(template instanceof ObjectNode instance) || !(instance.get("domain") instanceof ObjectNode domain)) {
      return;  // not a VM KubeVirt would run; its validating webhook is not simulated
    }
    ObjectNode machine = domain.get("machine") instanceof ObjectNode given ? given : domain.putObject("machine");
    if (machine.path("type").asText("").isEmpty()) {
      machine.put("type", MACHINE_TYPE);
    }
    if (instance.path("architecture").asText("").isEmpty()) {
      instance.put("architecture", ARCHITECTURE);
    }
  }
}
