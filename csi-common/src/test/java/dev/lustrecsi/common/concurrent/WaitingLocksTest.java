package dev.lustrecsi.common.concurrent;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class WaitingLocksTest {
  final WaitingLocks locks = new WaitingLocks();

  @Test
  void keysThatComeAndGoLeaveNothingBehind() throws Exception {
    for (int i = 0; i < 1000; i++) {
      try (var held = locks.acquire("fs1@lcsi-clone-" + i)) {
        assertThat(locks.size()).isEqualTo(1);
      }
      locks.acquire("fs1@lcsi-clone-" + i, Duration.ofSeconds(1)).orElseThrow().close();
    }
    assertThat(locks.size()).isZero();
  }

  @Test
  void aCallerWaitsItsTurnOrGivesUpAfterItsWait() throws Exception {
    CountDownLatch held = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    try (ExecutorService pool = Executors.newFixedThreadPool(2)) {
      Future<?> holder = pool.submit(() -> {
        try (var lock = locks.acquire("fs1")) {
          held.countDown();
          release.await();
        }
        return null;
      });
      held.await();
      assertThat(locks.acquire("fs1", Duration.ofMillis(50))).as("held by another").isEmpty();
      assertThat(locks.acquire("fs2", Duration.ofMillis(50))).as("another key").hasValueSatisfying(KeyedLocks.Held::close);
      Future<Boolean> waiter = pool.submit(() -> {
        var lock = locks.acquire("fs1", Duration.ofMinutes(1));
        lock.ifPresent(KeyedLocks.Held::close);
        return lock.isPresent();
      });
      Thread.sleep(50);
      release.countDown();
      holder.get(1, TimeUnit.MINUTES);
      assertThat(waiter.get(1, TimeUnit.MINUTES)).isTrue();
    }
    assertThat(locks.size()).isZero();
  }

  @Test
  void oneHolderAtATimePerKey() throws Exception {
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
      List<Future<?>> work = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        work.add(pool.submit(() -> {
          for (int round = 0; round < 200; round++) {
            try (var lock = locks.acquire("fs1")) {
              most.accumulateAndGet(inside.incrementAndGet(), Math::max);
              inside.decrementAndGet();
            }
          }
          return null;
        }));
      }
      for (Future<?> f : work) {
        f.get(1, TimeUnit.MINUTES);
      }
    }
    assertThat(most.get()).isEqualTo(1);
    assertThat(locks.size()).isZero();
  }
}
