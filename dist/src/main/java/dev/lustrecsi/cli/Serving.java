package dev.lustrecsi.cli;

import dev.lustrecsi.common.grpc.CsiServer;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/** Keeps servers running until SIGTERM or SIGINT, then closes them in reverse order. */
final class Serving {
  private Serving() {}

  static void untilTerminated(List<? extends AutoCloseable> servers) throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    CountDownLatch closed = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      stopped.countDown();
      try {
        closed.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "shutdown"));
    stopped.await();
    for (int i = servers.size() - 1; i >= 0; i--) {
      try {
        servers.get(i).close();
      } catch (Exception e) {
        System.err.println("error while stopping: " + e);
      }
    }
    closed.countDown();
  }

  static void untilTerminated(CsiServer server) throws InterruptedException {
    untilTerminated(List.of(server));
  }
}
