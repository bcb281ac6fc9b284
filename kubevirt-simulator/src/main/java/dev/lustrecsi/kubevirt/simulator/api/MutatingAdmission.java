package dev.lustrecsi.kubevirt.simulator.api;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A mutating admission webhook, as a real cluster runs them: it changes an object a create,
 * update or patch is about to store (never a status subresource write). The API server applies
 * the webhooks of the components it simulates, so the driver meets the objects a cluster would
 * give it back, not only the ones it wrote.
 */
@FunctionalInterface
public interface MutatingAdmission {
  /** Changes {@code object}, of the API group {@code group} and resource {@code plural}, in place. */
  void admit(String group, String plural, ObjectNode object);
}
