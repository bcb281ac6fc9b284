package dev.lustrecsi.agent.service;

import dev.lustrecsi.agent.lustre.UnexpectedOutputException;
import dev.lustrecsi.common.error.CsiException;
import dev.lustrecsi.common.exec.CommandFailedException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.lang.System.Logger.Level;

/**
 * The one place where the agent's failures become gRPC statuses.
 *
 * <ul>
 *   <li>{@link CsiException}: the code it carries (bad requests name their field).
 *   <li>A command that timed out or could not start: UNAVAILABLE, since a hung target or a VM still
 *       booting is worth a retry.
 *   <li>A command that exited non-zero: INTERNAL with the command line and what it printed, so the
 *       controller's events show the Lustre error itself.
 *   <li>Output the parsers do not recognise, I/O errors in the namespace, anything else: INTERNAL.
 * </ul>
 */
final class AgentErrors {
  private static final System.Logger LOG = System.getLogger(AgentErrors.class.getName());

  private AgentErrors() {}

  static StatusRuntimeException toStatus(Throwable e) {
    Status status = switch (e) {
      case CsiException csi -> csi.toStatus();
      case StatusRuntimeException sre -> sre.getStatus();
      case CommandFailedException failed when failed.result() == null -> Status.UNAVAILABLE.withDescription(failed.getMessage());
      case CommandFailedException failed -> Status.INTERNAL.withDescription(failed.getMessage());
      case UnexpectedOutputException odd -> Status.INTERNAL.withDescription("cannot read Lustre output: " + odd.getMessage());
      case IOException io -> Status.INTERNAL.withDescription("filesystem error: " + io);
      default -> {
        LOG.log(Level.ERROR, "unexpected failure in an agent call", e);
        yield Status.INTERNAL.withDescription("internal error: " + e);
      }
    };
    return status.asRuntimeException();
  }
}
