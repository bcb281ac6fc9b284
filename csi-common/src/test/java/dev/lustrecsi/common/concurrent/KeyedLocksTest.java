package dev.lustrecsi.common.concurrent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lustrecsi.common.error.CsiException;
import io.grpc.Status;
import org.junit.jupiter.api.Test;

class KeyedLocksTest {
  private static void assertAborted(Runnable call) {
    assertThatThrownBy(call::run).isInstanceOfSatisfying(CsiException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.ABORTED));
  }

  @Test
  void anExclusiveHolderKeepsEveryoneElseOutUntilItLetsGo() {
    KeyedLocks locks = new KeyedLocks();
    KeyedLocks.Held held = locks.acquire("vol1");
    assertAborted(() -> locks.acquire("vol1"));
    assertAborted(() -> locks.acquireShared("vol1"));
    assertThat(locks.tryAcquire("vol1")).isEmpty();
    locks.acquire("vol2").close();
    held.close();
    locks.acquireShared("vol1").close();
    locks.acquire("vol1").close();
  }

  @Test
  void sharingHoldersShareAndKeepAnExclusiveOneOutUntilTheLastLetsGo() {
    KeyedLocks locks = new KeyedLocks();
    KeyedLocks.Held first = locks.acquireShared("vol1");
    KeyedLocks.Held second = locks.acquireShared("vol1");
    assertAborted(() -> locks.acquire("vol1"));
    first.close();
    assertThat(locks.tryAcquire("vol1")).as("one sharer left").isEmpty();
    second.close();
    locks.acquire("vol1").close();
  }
}
