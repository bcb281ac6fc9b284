package dev.lustrecsi.controller.agent;

import dev.lustrecsi.common.tls.CertificateAuthority;
import dev.lustrecsi.common.tls.TlsFiles;
import dev.lustrecsi.common.tls.TlsMaterial;
import dev.lustrecsi.controller.filesystem.LustreFilesystem;
import dev.lustrecsi.controller.filesystem.ResourceNames;
import dev.lustrecsi.controller.servers.ObjectMeta;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * The certificates of mutual TLS between the controller and the server agents. One CA per
 * driver installation, its key in a Secret only the controller reads; one server certificate per
 * filesystem, in the Secret its VMs get as a disk; the controller's client certificate is issued
 * in memory at start and never stored.
 *
 * <p>Agents are dialled at their pod-network address, which changes when a VM restarts, so the
 * server certificate names a stable DNS name per filesystem ({@link #authority}) and the client
 * checks that name, not the address.
 */
public final class AgentCredentials {
  public static final String CA_SECRET = "lustre-csi-agent-ca";
  private static final String CA_KEY = "ca.key";

  private final KubernetesClient client;
  private final String namespace;
  private final Clock clock;
  private volatile CertificateAuthority authority;
  private volatile Issued clientCertificate;

  /** The controller's certificate and when to issue the next one (read on every agent call: no parsing there). */
  private record Issued(TlsMaterial material, Instant renewAt) {}

  public AgentCredentials(KubernetesClient client, String namespace, Clock clock) {
    this.client = client;
    this.namespace = namespace;
    this.clock = clock;
  }

  /** The name agents' certificates carry and the controller expects. */
  public static String authority(String filesystemObject) {
    return "agent." + filesystemObject + ".lustre-csi.internal";
  }

  /**
   * The controller's client certificate, issued by the installation's CA, and issued again once
   * it is two thirds through its life: a controller that runs for a year must not lose its agents
   * the day its certificate ends. Callers compare what they get with what they hold, and make new
   * connections with a new one.
   */
  public TlsMaterial clientMaterial() {
    Issued issued = clientCertificate;
    if (issued == null || !clock.instant().isBefore(issued.renewAt())) {
      synchronized (this) {
        if (clientCertificate == null || !clock.instant().isBefore(clientCertificate.renewAt())) {
          TlsMaterial material = ca().issueClient("lustre-csi-controller");
          clientCertificate = new Issued(material, CertificateAuthority.renewalTime(material.certPem()));
        }
        issued = clientCertificate;
      }
    }
    return issued.material();
  }

  /** Makes sure the filesystem's agent Secret exists: ca.crt, tls.crt and tls.key. */
  public void ensureServerSecret(LustreFilesystem filesystem) {
    String name = ResourceNames.of(filesystem.getSpec().fsName()).agentTlsSecret();
    if (client.secrets().inNamespace(namespace).withName(name).get() != null) {
      return;
    }
    TlsMaterial server = ca().issueServer("lustre-csi-agent", List.of(authority(filesystem.getMetadata().getName())), List.of());
    Secret secret = new SecretBuilder()
        .withNewMetadata().withName(name).withNamespace(namespace)
        .withLabels(ObjectMeta.labels(filesystem, "agent-tls")).withOwnerReferences(ObjectMeta.ownedBy(filesystem)).endMetadata()
        .withType("Opaque")
        .withData(Map.of(TlsFiles.CA, base64(server.caPem()), TlsFiles.CERT, base64(server.certPem()), TlsFiles.KEY, base64(server.keyPem())))
        .build();
    create(secret);
  }

  /**
   * A server certificate for the agent on the management host of a filesystem the site runs
   * ({@code lustre-csi agent-certificate}), issued by this installation's CA. It names the same
   * authority the controller checks for the filesystem's agents, plus {@code hostNames} for
   * whoever else dials the host by name. The CA is the one in the installation's Secret, made
   * there now if the controller has not made it yet (both sides make it the same way, and the
   * first to write it wins), so the certificate and the controller always share one CA.
   */
  public TlsMaterial issueExternalAgent(String filesystemObject, List<String> hostNames) {
    List<String> names = new java.util.ArrayList<>(List.of(authority(filesystemObject)));
    hostNames.stream().filter(n -> !names.contains(n)).forEach(names::add);
    return ca().issueServer("lustre-csi-agent", names, List.of());
  }

  private CertificateAuthority ca() {
    CertificateAuthority ca = authority;
    if (ca != null) {
      return ca;
    }
    synchronized (this) {
      if (authority == null) {
        authority = loadOrCreate();
      }
      return authority;
    }
  }

  private CertificateAuthority loadOrCreate() {
    Secret existing = client.secrets().inNamespace(namespace).withName(CA_SECRET).get();
    if (existing == null) {
      CertificateAuthority created = CertificateAuthority.create("lustre-csi agents CA", clock);
      Secret secret = new SecretBuilder()
          .withNewMetadata().withName(CA_SECRET).withNamespace(namespace)
          .addToLabels(ObjectMeta.NAME_LABEL, "lustre-csi").addToLabels(ObjectMeta.MANAGED_BY_LABEL, ObjectMeta.MANAGER).endMetadata()
          .withType("Opaque")
          .withData(Map.of(TlsFiles.CA, base64(created.certificatePem()), CA_KEY, base64(created.keyPem())))
          .build();
      if (create(secret)) {
        return created;
      }
      existing = client.secrets().inNamespace(namespace).withName(CA_SECRET).get();  // another replica won the race
    }
    return CertificateAuthority.load(decode(existing, TlsFiles.CA), decode(existing, CA_KEY), clock);
  }

  private boolean create(Secret secret) {
    try {
      client.secrets().inNamespace(namespace).resource(secret).create();
      return true;
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        return false;
      }
      throw e;
    }
  }

  private static String base64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  private static String decode(Secret secret, String key) {
    return new String(Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
  }
}
