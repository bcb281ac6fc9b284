package dev.lustrecsi.e2e;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/** Recent Events of a namespace, or of one object in it, as lines for a failure message. */
final class EventLog {
  private static final int SHOWN = 20;

  private EventLog() {}

  /** Events of the namespace, or only those of {@code objectName} when it is not null. */
  static String recent(KubernetesClient client, String namespace, String objectName) {
    List<Event> events = client.v1().events().inNamespace(namespace).list().getItems().stream()
        .filter(e -> objectName == null || objectName.equals(e.getInvolvedObject().getName()))
        .sorted(Comparator.comparing(EventLog::when))
        .toList();
    String heading = "  events in " + namespace + (objectName == null ? "" : " of " + objectName);
    if (events.isEmpty()) {
      return heading + ": none";
    }
    return events.subList(Math.max(0, events.size() - SHOWN), events.size()).stream()
        .map(e -> "    " + when(e) + " " + e.getType() + " " + e.getReason() + " "
            + e.getInvolvedObject().getKind() + "/" + e.getInvolvedObject().getName() + ": " + e.getMessage()
            + (e.getCount() != null && e.getCount() > 1 ? " (x" + e.getCount() + ")" : ""))
        .collect(Collectors.joining("\n", heading + " (last " + SHOWN + "):\n", ""));
  }

  /** The time to order by: core Events from newer recorders carry only eventTime. */
  private static String when(Event event) {
    String time = event.getLastTimestamp();
    if (time == null && event.getEventTime() != null) {
      time = event.getEventTime().getTime();
    }
    return Objects.requireNonNullElse(time, Objects.requireNonNullElse(event.getMetadata().getCreationTimestamp(), ""));
  }
}
