package dev.lustrecsi.controller.reconciler;

import dev.lustrecsi.agent.v1.GetHealthResponse;
import dev.lustrecsi.agent.v1.GetTargetUsageResponse;

/**
 * The controller's line to the agents in the server VMs. Calls throw
 * {@link AgentUnavailableException} when the agent cannot be reached or answers with an error.
 */
public interface ServerAgents {
  GetHealthResponse health(String filesystem, String server, String address) throws AgentUnavailableException;

  /** lfs df as the MDS's client mount sees it. */
  GetTargetUsageResponse targetUsage(String filesystem, String mdsServer, String mdsAddress, String fsName) throws AgentUnavailableException;

  /** Thrown when an agent cannot be reached or fails. */
  final class AgentUnavailableException extends Exception {
    public AgentUnavailableException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
