package dev.lustrecsi.common.tls;

import java.util.Objects;

/**
 * What one end of a mutual-TLS connection needs, in PEM: the CA that both ends trust, its own
 * certificate and its own PKCS#8 private key. The same three files a Kubernetes TLS Secret holds
 * ({@code ca.crt}, {@code tls.crt}, {@code tls.key}).
 */
public record TlsMaterial(String caPem, String certPem, String keyPem) {
  public TlsMaterial {
    Objects.requireNonNull(caPem, "caPem");
    Objects.requireNonNull(certPem, "certPem");
    Objects.requireNonNull(keyPem, "keyPem");
  }

  /** Never prints the key: records' generated toString would put it in logs. */
  @Override
  public String toString() {
    return "TlsMaterial[cert=" + Pem.certificate(certPem).getSubjectX500Principal() + "]";
  }
}
