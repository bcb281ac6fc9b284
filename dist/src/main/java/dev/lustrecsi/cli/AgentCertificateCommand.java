package dev.lustrecsi.cli;

import dev.lustrecsi.common.tls.TlsFiles;
import dev.lustrecsi.common.tls.TlsMaterial;
import dev.lustrecsi.common.volume.FsName;
import dev.lustrecsi.controller.agent.AgentCredentials;
import dev.lustrecsi.controller.filesystem.ResourceNames;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Issues the certificate of the agent on a site's management host, from the installation's CA
 * (the Secret the controller keeps), so the controller and that agent trust each other and
 * nothing else. Run by an admin with access to the driver's namespace; the files go where the
 * agent's {@code --tls-dir} reads them.
 */
@Command(name = "agent-certificate", mixinStandardHelpOptions = true,
    description = {"Issues the TLS certificate for the agent on the management host of a Lustre filesystem the site runs.",
        "Signed by this installation's CA (Secret " + AgentCredentials.CA_SECRET + " in --namespace); writes ca.crt, tls.crt and tls.key to --out.",
        "Uses the current kubeconfig (KUBECONFIG or ~/.kube/config)."})
final class AgentCertificateCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--fs-name", required = true, description = "The filesystem's fsName, as its LustreFilesystem's spec.fsName says")
  String fsName;

  @Option(names = "--namespace", defaultValue = "lustre-csi", description = "The driver's namespace (default: ${DEFAULT-VALUE})")
  String namespace;

  @Option(names = "--out", required = true, description = "Directory to write ca.crt, tls.crt and tls.key to (the agent's --tls-dir)")
  Path out;

  @Option(names = "--host-name", description = "Another DNS name for the certificate (repeatable); the controller checks only its own")
  List<String> hostNames = List.of();

  @Override
  public Integer call() throws Exception {
    String problem = FsName.problem(fsName);
    if (problem != null) {
      throw new ParameterException(spec.commandLine(), "--fs-name: " + problem);
    }
    try (KubernetesClient client = new KubernetesClientBuilder().build()) {
      TlsMaterial material = issue(client, namespace, fsName, hostNames);
      TlsFiles.write(out, material);
    }
    System.out.println("wrote " + TlsFiles.CA + ", " + TlsFiles.CERT + " and " + TlsFiles.KEY + " to " + out
        + " for the agent of filesystem " + fsName + " (name " + AgentCredentials.authority(ResourceNames.of(fsName).filesystem()) + ")");
    return 0;
  }

  /** The certificate, from the CA of the installation in {@code namespace}. */
  static TlsMaterial issue(KubernetesClient client, String namespace, String fsName, List<String> hostNames) {
    return new AgentCredentials(client, namespace, Clock.systemUTC()).issueExternalAgent(ResourceNames.of(fsName).filesystem(), hostNames);
  }
}
