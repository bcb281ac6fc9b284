package dev.lustrecsi.sanity.fuzz;

import com.google.protobuf.Message;
import dev.lustrecsi.common.error.CallerText;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * One fuzzed request sent twice at the same instant, as a CO that retries before its first call
 * returns (or two controller replicas for a moment) sends it. Two same requests must be answered
 * alike: both OK with the same answer, or one of them ABORTED (the spec's code for an operation
 * already in progress on the object) or UNAVAILABLE; or both failing. What disagrees comes back as
 * DATA_LOSS with a description that says so, a code no request may be answered with, so the
 * judge reports it.
 */
final class Twice {
  /** Codes that say "the other call has it in hand": the CO retries, and then gets the other's answer. */
  private static final List<Status.Code> BUSY = List.of(Status.Code.ABORTED, Status.Code.UNAVAILABLE);

  private Twice() {}

  static FuzzCase of(FuzzCase once) {
    return new FuzzCase(once.rpc() + " (twice at once)", once.description(), once.expect(), () -> both(once.call()), once.volumeId(),
        once.onOk());
  }

  private record Outcome(Message answer, StatusRuntimeException failure) {
    static Outcome of(Supplier<? extends Message> call) {
      try {
        return new Outcome(call.get(), null);
      } catch (StatusRuntimeException e) {
        return new Outcome(null, e);
      }
    }

    String described() {
      return answer != null ? "OK" : failure.getStatus().getCode() + " " + CallerText.quote(failure.getStatus().getDescription());
    }
  }

  private static Message both(Supplier<? extends Message> call) {
    List<Outcome> outcomes;
    try (ExecutorService two = Executors.newVirtualThreadPerTaskExecutor()) {
      CompletableFuture<Outcome> first = CompletableFuture.supplyAsync(() -> Outcome.of(call), two);
      CompletableFuture<Outcome> second = CompletableFuture.supplyAsync(() -> Outcome.of(call), two);
      outcomes = List.of(first.join(), second.join());
    }
    Outcome one = outcomes.get(0);
    Outcome other = outcomes.get(1);
    for (Outcome outcome : outcomes) {
      if (outcome.failure() != null && !BUSY.contains(outcome.failure().getStatus().getCode())
          && (one.answer() != null || other.answer() != null)) {
        throw disagree(one, other);
      }
      if (outcome.failure() != null && List.of(Status.Code.INTERNAL, Status.Code.UNKNOWN, Status.Code.DEADLINE_EXCEEDED)
          .contains(outcome.failure().getStatus().getCode())) {
        throw outcome.failure();
      }
    }
    if (one.answer() != null && other.answer() != null && !one.answer().equals(other.answer())) {
      throw disagree(one, other);
    }
    Outcome taken = one.answer() != null ? one : other.answer() != null ? other : one.failure() != null
        && BUSY.contains(one.failure().getStatus().getCode()) ? other : one;
    if (taken.answer() != null) {
      return taken.answer();
    }
    throw taken.failure();
  }

  private static StatusRuntimeException disagree(Outcome one, Outcome other) {
    String answers = one.answer() != null && other.answer() != null ? one.answer() + " and " + other.answer() : one.described() + " and "
        + other.described();
    return Status.DATA_LOSS.withDescription("the fuzz run's own verdict: the same request sent twice at once was answered "
        + CallerText.quote(answers.length() > 300 ? answers.substring(0, 300) : answers)).asRuntimeException();
  }
}
