package dev.lustrecsi.sandbox.cluster;

import dev.lustrecsi.controller.metrics.ControllerMetrics;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import java.util.List;
import java.util.Map;

/** The controller's gauges read straight from its registry, as a scrape would read them. */
final class ControllerGauges {
  private ControllerGauges() {}

  /** Every series of the gauge. */
  static List<GaugeDataPointSnapshot> series(ControllerMetrics metrics, String name) {
    return metrics.registry().scrape().stream()
        .filter(m -> m.getMetadata().getName().equals(name))
        .flatMap(m -> m.getDataPoints().stream())
        .map(GaugeDataPointSnapshot.class::cast)
        .toList();
  }

  /** The values of the gauge's series that carry {@code labels}. */
  static List<Double> values(ControllerMetrics metrics, String name, Map<String, String> labels) {
    return series(metrics, name).stream()
        .filter(p -> labels.entrySet().stream().allMatch(l -> l.getValue().equals(p.getLabels().get(l.getKey()))))
        .map(GaugeDataPointSnapshot::getValue)
        .toList();
  }
}
