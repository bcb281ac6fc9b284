package dev.lustrecsi.sanity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** Assertions on the gRPC status a CSI call ends with. */
final class Calls {
  private Calls() {}

  /**
   * Runs {@code call}, which must fail with {@code expected}; returns the status for further
   * checks of its message.
   */
  static Status assertFails(Status.Code expected, ThrowingCallable call) {
    Status status = failure(call);
    assertThat(status.getCode()).as("status code of the failed call (%s)", status).isEqualTo(expected);
    return status;
  }

  /** Runs {@code call}, which must fail with one of {@code allowed}. */
  static Status assertFailsWithOneOf(ThrowingCallable call, Status.Code... allowed) {
    Status status = failure(call);
    assertThat(status.getCode()).as("status code of the failed call (%s)", status).isIn((Object[]) allowed);
    return status;
  }

  /** The status {@code call} failed with; an assertion error if it succeeded or threw something else. */
  static Status failure(ThrowingCallable call) {
    Throwable thrown = catchThrowable(call);
    assertThat(thrown).as("the call should have failed with a gRPC status, but it succeeded").isNotNull();
    if (thrown instanceof AssertionError failedCheck) {
      throw failedCheck;
    }
    assertThat(thrown).as("the call should fail with a gRPC status").isInstanceOf(StatusRuntimeException.class);
    return ((StatusRuntimeException) thrown).getStatus();
  }
}
