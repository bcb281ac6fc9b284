package dev.lustrecsi.cli;

import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * Keeps servers running until SIGTERM or SIGINT, then closes them in reverse order. The hook is
 * installed before anything starts, so a signal that arrives while the plugin is starting (or
 * just after it reports ready) still closes everything and removes the sockets.
 */
final class Serving {
  private final CountDownLatch stopRequested = new CountDownLatch(1);
  private final CountDownLatch closed = new CountDownLatch(1);

  private Serving() {}

  /** Installs the shutdown hook; call before starting servers. */
  static Serving installShutdownHook() {
    Serving serving = new Serving();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      serving.stopRequested.countDown();
      try {
        serving.closed.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "shutdown"));
    return serving;
  }

  /** Blocks until a stop is requested, then closes the servers, last started first. */
  void awaitStopThenClose(List<? extends AutoCloseable> servers) throws InterruptedException {
    try {
      stopRequested.await();
      for (int i = servers.size() - 1; i >= 0; i--) {
        try {
          servers.get(i).close();
        } catch (Exception e) {
          System.err.println("error while stopping: " + e);
        }
      }
    } finally {
      closed.countDown();
    }
  }

  /** Releases a shutdown that is waiting when starting failed. */
  void startFailed() {
    closed.countDown();
  }
}
