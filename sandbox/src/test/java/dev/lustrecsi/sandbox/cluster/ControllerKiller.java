package dev.lustrecsi.sandbox.cluster;

import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The crash tests' controller death: counts the controller's steps (every API write it sends,
 * and whatever else a test reports through {@link #step}, such as a server command that changes
 * something) and kills it before the n-th. A dead controller sends nothing more: each later
 * request, read or write, fails as a crashed process's would.
 */
final class ControllerKiller implements Interceptor {
  /** Thrown in place of whatever a controller that has died would have done next. */
  static final class Killed extends RuntimeException {
    Killed(String what) {
      super("controller killed before " + what);
    }
  }

  private final int killAt;
  private final AtomicInteger steps = new AtomicInteger();
  private final AtomicBoolean dead = new AtomicBoolean();
  private final List<String> seen;

  /** Kills before step {@code killAt} (1 for the first; {@link Integer#MAX_VALUE} never in practice). */
  ControllerKiller(int killAt) {
    this(killAt, new CopyOnWriteArrayList<>());
  }

  /** The same, adding each step taken to {@code seen} (a list several lives of a controller may share). */
  ControllerKiller(int killAt, List<String> seen) {
    this.killAt = killAt;
    this.seen = seen;
  }

  /** Steps counted so far, the one refused at the kill included. */
  int steps() {
    return steps.get();
  }

  boolean isDead() {
    return dead.get();
  }

  /** The steps taken before the kill, in order: what a failing assertion shows. */
  List<String> seen() {
    return seen;
  }

  /** Counts one step, or dies before it. */
  void step(String what) {
    alive(what);
    if (steps.incrementAndGet() == killAt) {
      dead.set(true);
      throw new Killed(what);
    }
    seen.add(what);
  }

  /** Fails as a dead controller's action does; a live one goes on. */
  void alive(String what) {
    if (dead.get()) {
      throw new Killed(what);
    }
  }

  @Override
  public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
    String path = request.uri().getPath();
    if (request.method().equals("GET")) {
      alive("GET " + path);
    } else {
      int namespaced = path.lastIndexOf("/namespaces/");
      String object = namespaced < 0 ? path : path.substring(path.indexOf('/', namespaced + "/namespaces/".length()) + 1);
      step(request.method() + " " + object);
    }
  }
}
