package dev.lustrecsi.deploy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import java.nio.file.Path;
import java.util.Map;

/** Renders the chart with the real Helm engine (helm-java embeds Helm's Go library). */
final class ChartRenderer {
  static final String RELEASE = "lustre-csi";
  static final String NAMESPACE = "lustre-system";
  /** The oldest Kubernetes the chart supports (Chart.yaml kubeVersion): render as it would. */
  static final String KUBE_VERSION = "1.29.0";
  /** Kinds the chart renders that fabric8 has no model for: the Prometheus Operator's. */
  static final java.util.Set<String> CUSTOM_KINDS = java.util.Set.of("monitoring.coreos.com/v1/ServiceMonitor",
      "monitoring.coreos.com/v1/PrometheusRule");

  private ChartRenderer() {}

  /** Renders with the chart's defaults, overridden by the values file (if any) and the sets. */
  static Rendered render(Path valuesFile, Map<String, Object> sets) {
    TemplateCommand template = new Helm(RepoLayout.chart()).template()
        .withName(RELEASE)
        .withNamespace(NAMESPACE)
        .withKubeVersion(KUBE_VERSION);
    if (valuesFile != null) {
      template = template.withValuesFile(valuesFile);
    }
    for (Map.Entry<String, Object> set : sets.entrySet()) {
      template = template.set(set.getKey(), set.getValue());
    }
    return Rendered.parse(template.call(), CUSTOM_KINDS);
  }

  static Rendered renderDefaults() {
    return render(null, Map.of());
  }
}
