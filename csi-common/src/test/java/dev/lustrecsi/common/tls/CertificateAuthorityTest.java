package dev.lustrecsi.common.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertificateAuthorityTest {
  private static final Instant NOW = Instant.parse("2026-12-01T08:00:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

  @Test
  void theCaIsAnEcP256CaForTenYears() throws Exception {
    CertificateAuthority ca = CertificateAuthority.create("lustre-csi CA", CLOCK);
    X509Certificate cert = ca.certificate();
    assertThat(cert.getBasicConstraints()).isZero();
    assertThat(cert.getSubjectX500Principal().getName()).isEqualTo("CN=lustre-csi CA");
    assertThat(cert.getPublicKey().getAlgorithm()).isEqualTo("EC");
    assertThat(((ECPrivateKey) Pem.privateKey(ca.keyPem())).getParams().getCurve().getField().getFieldSize()).isEqualTo(256);
    assertThat(cert.getNotAfter().toInstant()).isEqualTo(NOW.plus(Duration.ofDays(3652)));
    assertThat(cert.getNotBefore().toInstant()).isBefore(NOW);
    cert.verify(cert.getPublicKey());
  }

  @Test
  void serverCertificatesCarryTheirNamesAndAddresses() throws Exception {
    CertificateAuthority ca = CertificateAuthority.create("ca", CLOCK);
    TlsMaterial agent = ca.issueServer("agent fs1-oss0", List.of("fs1-oss0.lustre.svc"), List.of("10.1.0.21", "fd00::21"));
    X509Certificate cert = Pem.certificate(agent.certPem());
    cert.verify(ca.certificate().getPublicKey());
    assertThat(cert.getSubjectAlternativeNames()).extracting(n -> (Object) n.get(1))
        .containsExactlyInAnyOrder("fs1-oss0.lustre.svc", "10.1.0.21", "fd00:0:0:0:0:0:0:21");
    assertThat(cert.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
    assertThat(cert.getBasicConstraints()).isEqualTo(-1);
    assertThat(agent.caPem()).isEqualTo(ca.certificatePem());
    assertThat(agent.toString()).doesNotContain("PRIVATE");
  }

  @Test
  void serverCertificatesLiveAsLongAsTheCaAndClientCertificatesAreDueForRenewalAfterTwoThirdsOfTheirLife() {
    CertificateAuthority ca = CertificateAuthority.create("ca", CLOCK);
    X509Certificate server = Pem.certificate(ca.issueServer("agent", List.of("agent.fs1"), List.of()).certPem());
    assertThat(server.getNotAfter()).as("an agent reads it once, at boot").isEqualTo(ca.certificate().getNotAfter());
    String client = ca.issueClient("lustre-csi-controller").certPem();
    assertThat(CertificateAuthority.renewalTime(client)).isBetween(NOW.plus(Duration.ofDays(243)), NOW.plus(Duration.ofDays(244)));
  }

  @Test
  void clientCertificatesAreForClientAuthOnly() throws Exception {
    X509Certificate cert = Pem.certificate(CertificateAuthority.create("ca", CLOCK).issueClient("lustre-csi-controller").certPem());
    assertThat(cert.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2");
    assertThat(cert.getSubjectAlternativeNames()).isNull();
    assertThat(cert.getNotAfter().toInstant()).isEqualTo(NOW.plus(Duration.ofDays(365)));
  }

  @Test
  void aStoredCaIssuesCertificatesThatVerifyAgainstIt() throws Exception {
    CertificateAuthority original = CertificateAuthority.create("ca", CLOCK);
    CertificateAuthority loaded = CertificateAuthority.load(original.certificatePem(), original.keyPem(), CLOCK);
    assertThat(loaded.certificatePem()).isEqualTo(original.certificatePem());
    Pem.certificate(loaded.issueClient("c").certPem()).verify(original.certificate().getPublicKey());
  }

  @Test
  void pemRoundTripsAndRefusesTheWrongKind() {
    CertificateAuthority ca = CertificateAuthority.create("ca", CLOCK);
    assertThat(ca.keyPem()).startsWith("-----BEGIN PRIVATE KEY-----");
    assertThat(Pem.encode(Pem.certificate(ca.certificatePem()))).isEqualTo(ca.certificatePem());
    assertThat(Pem.encode(Pem.privateKey(ca.keyPem()))).isEqualTo(ca.keyPem());
    assertThatThrownBy(() -> Pem.certificate(ca.keyPem())).hasMessageContaining("no certificate");
    assertThatThrownBy(() -> Pem.privateKey(ca.certificatePem())).hasMessageContaining("no PKCS#8 private key");
    assertThatThrownBy(() -> Pem.certificate("garbage")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void badRequestsAreRefused() {
    CertificateAuthority ca = CertificateAuthority.create("ca", CLOCK);
    assertThatThrownBy(() -> ca.issueServer("a", List.of(), List.of())).hasMessageContaining("at least one");
    assertThatThrownBy(() -> ca.issueServer("a", List.of(), List.of("fs1-oss0"))).hasMessageContaining("not an IP address");
    assertThatThrownBy(() -> ca.issueClient(" ")).hasMessageContaining("common name");
    assertThatThrownBy(() -> new Validity(NOW, NOW)).hasMessageContaining("end after");
  }

  @Test
  void commonNamesCannotInjectAttributes() {
    X509Certificate cert = Pem.certificate(CertificateAuthority.create("ca", CLOCK).issueClient("x,O=evil").certPem());
    assertThat(cert.getSubjectX500Principal().getName()).isEqualTo("CN=x\\,O\\=evil");
  }

  @Test
  void filesLikeAKubernetesTlsSecret(@TempDir Path dir) throws Exception {
    TlsMaterial material = CertificateAuthority.create("ca", CLOCK).issueClient("c");
    TlsFiles.write(dir, material);
    assertThat(TlsFiles.read(dir)).isEqualTo(material);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("tls.key")))).isEqualTo("rw-------");
    assertThat(dir).isDirectoryNotContaining(p -> p.getFileName().toString().endsWith(".tmp"));
    Files.delete(dir.resolve("ca.crt"));
    assertThatThrownBy(() -> TlsFiles.read(dir)).hasMessageContaining("lacks ca.crt");
  }
}
