package dev.lustrecsi.controller.servers;

import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;

/**
 * KubeVirt's resources as fabric8 reaches them. No KubeVirt Java model exists on Maven Central,
 * so VMs are generic resources, built by {@link ServerVirtualMachines} and checked against
 * KubeVirt's OpenAPI document in tests. Full contexts, so no API discovery call is needed.
 */
public final class KubeVirt {
  public static final ResourceDefinitionContext VIRTUAL_MACHINES = new ResourceDefinitionContext.Builder()
      .withGroup("kubevirt.io").withVersion("v1").withKind("VirtualMachine").withPlural("virtualmachines").withNamespaced(true).build();
  public static final ResourceDefinitionContext VIRTUAL_MACHINE_INSTANCES = new ResourceDefinitionContext.Builder()
      .withGroup("kubevirt.io").withVersion("v1").withKind("VirtualMachineInstance").withPlural("virtualmachineinstances")
      .withNamespaced(true).build();

  private KubeVirt() {}
}
