package dev.lustrecsi.sanity.fuzz;

import csi.v1.ControllerGrpc;
import csi.v1.GroupControllerGrpc;
import csi.v1.IdentityGrpc;
import csi.v1.NodeGrpc;
import dev.lustrecsi.sanity.CsiTarget;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Stubs of the driver under test whose deadline is the run's per-call deadline: a call that misses it is a hang. */
final class Stubs {
  private final CsiTarget target;
  private final long deadlineMillis;

  Stubs(CsiTarget target, Duration deadline) {
    this.target = target;
    this.deadlineMillis = deadline.toMillis();
  }

  ControllerGrpc.ControllerBlockingStub controller() {
    return target.controller().withDeadlineAfter(deadlineMillis, TimeUnit.MILLISECONDS);
  }

  GroupControllerGrpc.GroupControllerBlockingStub groupController() {
    return target.groupController().withDeadlineAfter(deadlineMillis, TimeUnit.MILLISECONDS);
  }

  NodeGrpc.NodeBlockingStub node() {
    return target.node().withDeadlineAfter(deadlineMillis, TimeUnit.MILLISECONDS);
  }

  IdentityGrpc.IdentityBlockingStub controllerIdentity() {
    return target.controllerIdentity().withDeadlineAfter(deadlineMillis, TimeUnit.MILLISECONDS);
  }

  IdentityGrpc.IdentityBlockingStub nodeIdentity() {
    return target.nodeIdentity().withDeadlineAfter(deadlineMillis, TimeUnit.MILLISECONDS);
  }
}
