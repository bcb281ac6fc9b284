package dev.lustrecsi.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.Release;
import org.junit.jupiter.api.Test;

/** NOTES.txt is what an admin reads right after `helm install`: it must render and say what next. */
class NotesTest {
  private static Release dryRunInstall(String valuesExample) {
    var install = new Helm(RepoLayout.chart()).install()
        .withName(ChartRenderer.RELEASE)
        .withNamespace(ChartRenderer.NAMESPACE)
        .withKubeVersion(ChartRenderer.KUBE_VERSION)
        .clientOnly()
        .dryRun();
    if (valuesExample != null) {
      install = install.withValuesFile(RepoLayout.chartExamples().resolve(valuesExample));
    }
    return install.call();
  }

  @Test
  void tellsTheAdminHowToCheckTheDriverAndWhatToCreateNext() {
    String notes = dryRunInstall(null).getOutput();
    assertThat(notes)
        .contains("kubectl -n lustre-system get deploy lustre-csi-controller")
        .contains("kubectl -n lustre-system get ds lustre-csi-node")
        .contains("lustre.csi.lustrecsi.dev/agent-not-ready")
        .contains("LNet mode: manage")
        .contains("Create a StorageClass")
        .contains("docs/README.md")
        .doesNotContain("<no value>");
  }

  @Test
  void listsTheStorageClassesTheReleaseCreated() {
    String notes = dryRunInstall("rdma.yaml").getOutput();
    assertThat(notes)
        .contains("lustre-scratch (fsName scratch, lnet tcp)")
        .contains("lustre-rdma (fsName fast, lnet o2ib)")
        .doesNotContain("Create a StorageClass")
        .doesNotContain("<no value>");
  }
}
