package dev.lustrecsi.sanity.fuzz;

import com.google.protobuf.Message;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One request of the run and what may answer it.
 *
 * @param rpc the RPC, as the summary counts it
 * @param description what was done to the request, for a finding
 * @param expect the right answers
 * @param call sends the request; throws StatusRuntimeException for a failure
 * @param volumeId the volume a node request names, or null: a node request may only change mounts of that volume
 * @param onOk what the world learns from an OK answer (a volume made, a path mounted)
 */
record FuzzCase(String rpc, String description, Expect expect, Supplier<? extends Message> call, String volumeId, Consumer<Message> onOk) {
  FuzzCase {
    onOk = onOk == null ? answer -> { } : onOk;
  }
}
