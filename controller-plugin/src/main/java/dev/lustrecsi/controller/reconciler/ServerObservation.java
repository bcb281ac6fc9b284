package dev.lustrecsi.controller.reconciler;

import dev.lustrecsi.agent.v1.GetHealthResponse;
import java.util.Optional;

/**
 * What the controller sees of one server VM in one pass.
 *
 * @param vmExists whether the VirtualMachine object exists
 * @param vmiPhase the VirtualMachineInstance's phase (Pending, Scheduling, Running, Failed...), empty if there is none
 * @param vmiShuttingDown whether the VMI is being deleted, its guest shutting down (it may still say Running and Ready)
 * @param vmiReady the VMI's Ready condition (its readiness probe checks Lustre's health_check)
 * @param podAddress the VMI's address on the pod network, where its agent listens
 * @param agent the agent's report, empty when it did not answer
 * @param agentError why the agent did not answer, when it did not
 */
public record ServerObservation(boolean vmExists, String vmiPhase, boolean vmiShuttingDown, boolean vmiReady, String podAddress,
    Optional<GetHealthResponse> agent, String agentError) {

  public static ServerObservation absent() {
    return new ServerObservation(false, "", false, false, "", Optional.empty(), null);
  }
}
