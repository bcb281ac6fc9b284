package dev.lustrecsi.e2e;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/** Runs the suite's pods in one namespace and reads what they printed. */
final class Pods {
  private final KubernetesClient client;
  private final String namespace;
  private final E2eSettings settings;

  Pods(KubernetesClient client, String namespace, E2eSettings settings) {
    this.client = client;
    this.namespace = namespace;
    this.settings = settings;
  }

  /** Runs the pod until it ends, then deletes it so that its volume is unpublished. */
  PodResult run(Workload workload) {
    start(workload);
    PodResult result = awaitEnd(workload.name());
    delete(workload.name());
    return result;
  }

  void start(Workload workload) {
    client.pods().inNamespace(namespace).resource(workload.toPod(namespace, settings.image())).create();
  }

  /**
   * Waits until the running pod's log satisfies {@code wanted}; the pod is waited for as long as
   * provisioning may take, because its volume may be the first of a filesystem.
   */
  String awaitLog(String pod, String what, Predicate<String> wanted) {
    return waitFor("pod " + pod + " to print " + what).until(
        () -> {
          Pod current = get(pod);
          if (current == null) {
            return null;
          }
          String phase = current.getStatus() == null ? null : current.getStatus().getPhase();
          return "Running".equals(phase) || "Succeeded".equals(phase) || "Failed".equals(phase) ? log(pod) : "";
        },
        wanted,
        log -> "log so far:\n" + tail(log));
  }

  PodResult awaitEnd(String pod) {
    Pod ended = waitFor("pod " + pod + " to run to completion").until(
        () -> get(pod),
        current -> current.getStatus() != null && List.of("Succeeded", "Failed").contains(current.getStatus().getPhase()),
        Pods::describe);
    return new PodResult(pod, ended.getStatus().getPhase(), exitCode(ended), log(pod));
  }

  /** Deletes the pod and waits until it is gone, so its volume is unmounted before the next step. */
  void delete(String pod) {
    client.pods().inNamespace(namespace).withName(pod).withGracePeriod(5).delete();
    waitFor("pod " + pod + " to be deleted (its volume unpublished)").until(
        () -> get(pod) == null ? Boolean.TRUE : Boolean.FALSE, Boolean::booleanValue, gone -> "still there");
  }

  Pod get(String pod) {
    return client.pods().inNamespace(namespace).withName(pod).get();
  }

  private String log(String pod) {
    return Objects.requireNonNullElse(client.pods().inNamespace(namespace).withName(pod).getLog(), "");
  }

  private Wait waitFor(String what) {
    return Wait.forThat(what, settings.provisioning()).withDiagnostics(() -> EventLog.recent(client, namespace, null));
  }

  private static Integer exitCode(Pod pod) {
    return containerStatus(pod) == null || containerStatus(pod).getState().getTerminated() == null ? null
        : containerStatus(pod).getState().getTerminated().getExitCode();
  }

  private static ContainerStatus containerStatus(Pod pod) {
    List<ContainerStatus> statuses = pod.getStatus() == null ? null : pod.getStatus().getContainerStatuses();
    return statuses == null || statuses.isEmpty() ? null : statuses.getFirst();
  }

  /** Phase, node and container state: ContainerCreating with its reason is where mounts fail. */
  static String describe(Pod pod) {
    if (pod.getStatus() == null) {
      return "no status yet";
    }
    ContainerStatus container = containerStatus(pod);
    String state = container == null ? "no container status" : String.valueOf(container.getState());
    return "phase " + pod.getStatus().getPhase() + " on node " + pod.getSpec().getNodeName() + ", container " + state
        + (container == null ? "" : ", restarts " + container.getRestartCount());
  }

  private static String tail(String log) {
    String[] lines = log.split("\n");
    return String.join("\n", List.of(lines).subList(Math.max(0, lines.length - 15), lines.length));
  }
}
