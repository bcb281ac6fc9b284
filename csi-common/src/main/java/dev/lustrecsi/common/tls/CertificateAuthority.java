package dev.lustrecsi.common.tls;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The small certificate authority the controller runs for the channel to its server agents: an
 * EC P-256 CA valid ten years, server certificates for agents (their VM's DNS names and storage
 * network addresses as SANs) and client certificates for the controller. Both ends trust only
 * this CA, so a certificate from anywhere else, even a publicly trusted one, is refused.
 */
public final class CertificateAuthority {
  public static final Duration CA_VALIDITY = Duration.ofDays(3652);
  /**
   * The controller's client certificates: a year bounds the life of a leaked key, and the
   * controller reissues its own well before the end (see {@link #renewalDue}).
   */
  public static final Duration LEAF_VALIDITY = Duration.ofDays(365);

  private static final String SIGNATURE = "SHA256withECDSA";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final X509Certificate certificate;
  private final PrivateKey key;
  private final Clock clock;

  private CertificateAuthority(X509Certificate certificate, PrivateKey key, Clock clock) {
    this.certificate = certificate;
    this.key = key;
    this.clock = clock;
  }

  /** A new self-signed CA named {@code commonName}, valid ten years from now. */
  public static CertificateAuthority create(String commonName, Clock clock) {
    KeyPair pair = newKeyPair();
    X500Name name = name(commonName);
    try {
      JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder builder = builder(name, name, Validity.from(clock, CA_VALIDITY), pair.getPublic())
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
          .addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(pair.getPublic()));
      return new CertificateAuthority(sign(builder, pair.getPrivate()), pair.getPrivate(), clock);
    } catch (GeneralSecurityException | CertIOException e) {
      throw new IllegalStateException("cannot create a CA: " + e.getMessage(), e);
    }
  }

  /** A CA stored earlier (its certificate and PKCS#8 key in PEM), e.g. from the controller's Secret. */
  public static CertificateAuthority load(String certificatePem, String keyPem, Clock clock) {
    return new CertificateAuthority(Pem.certificate(certificatePem), Pem.privateKey(keyPem), clock);
  }

  public String certificatePem() {
    return Pem.encode(certificate);
  }

  public String keyPem() {
    return Pem.encode(key);
  }

  public X509Certificate certificate() {
    return certificate;
  }

  /**
   * A server certificate for an agent, valid as long as this CA. An agent reads its certificate
   * once, at start (in a server VM, from a disk attached at boot), and nothing would restart a
   * healthy Lustre server just to renew it: a shorter life would take every filesystem's agents
   * away on the day it ends. A leaked agent key is replaced by deleting its Secret and restarting
   * the servers one at a time (docs/server-agent.md).
   */
  public TlsMaterial issueServer(String commonName, List<String> dnsNames, List<String> ipAddresses) {
    Instant now = clock.instant();
    return issueServer(commonName, dnsNames, ipAddresses, new Validity(now.minus(Validity.CLOCK_SKEW), certificate.getNotAfter().toInstant()));
  }

  /** When a certificate is two thirds through its life: time to reissue it, with a third of it left to do so. */
  public static Instant renewalTime(String certificatePem) {
    X509Certificate cert = Pem.certificate(certificatePem);
    long start = cert.getNotBefore().getTime();
    long end = cert.getNotAfter().getTime();
    return Instant.ofEpochMilli(start + (end - start) * 2 / 3);
  }

  /**
   * A server certificate. Clients check the address they dialled against the SANs, so every name
   * and address the controller may use to reach the agent must be listed.
   */
  public TlsMaterial issueServer(String commonName, List<String> dnsNames, List<String> ipAddresses, Validity validity) {
    List<GeneralName> names = new ArrayList<>();
    dnsNames.forEach(dns -> names.add(new GeneralName(GeneralName.dNSName, dns)));
    for (String ip : ipAddresses) {
      try {
        names.add(new GeneralName(GeneralName.iPAddress, ip));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("\"" + ip + "\" is not an IP address", e);
      }
    }
    if (names.isEmpty()) {
      throw new IllegalArgumentException("a server certificate needs at least one DNS name or IP address");
    }
    return issue(commonName, KeyPurposeId.id_kp_serverAuth, new GeneralNames(names.toArray(GeneralName[]::new)), validity);
  }

  /** A client certificate for the controller, for a year from now. */
  public TlsMaterial issueClient(String commonName) {
    return issueClient(commonName, Validity.from(clock, LEAF_VALIDITY));
  }

  public TlsMaterial issueClient(String commonName, Validity validity) {
    return issue(commonName, KeyPurposeId.id_kp_clientAuth, null, validity);
  }

  private TlsMaterial issue(String commonName, KeyPurposeId purpose, GeneralNames altNames, Validity validity) {
    KeyPair pair = newKeyPair();
    try {
      JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder builder = builder(X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded()),
          name(commonName), validity, pair.getPublic())
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
          .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose))
          .addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(pair.getPublic()))
          .addExtension(Extension.authorityKeyIdentifier, false, utils.createAuthorityKeyIdentifier(certificate));
      if (altNames != null) {
        builder.addExtension(Extension.subjectAlternativeName, false, altNames);
      }
      X509Certificate leaf = sign(builder, key);
      return new TlsMaterial(certificatePem(), Pem.encode(leaf), Pem.encode(pair.getPrivate()));
    } catch (GeneralSecurityException | CertIOException e) {
      throw new IllegalStateException("cannot issue a certificate for " + commonName + ": " + e.getMessage(), e);
    }
  }

  private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, Validity validity, PublicKey publicKey) {
    // 127 random bits: unique serials without a counter to persist, and positive as RFC 5280 requires.
    BigInteger serial = new BigInteger(127, RANDOM).add(BigInteger.ONE);
    return new JcaX509v3CertificateBuilder(issuer, serial, Date.from(validity.notBefore()), Date.from(validity.notAfter()), subject, publicKey);
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signer) throws GeneralSecurityException {
    try {
      return new JcaX509CertificateConverter().getCertificate(builder.build(new JcaContentSignerBuilder(SIGNATURE).build(signer)));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException(e);
    }
  }

  private static X500Name name(String commonName) {
    if (commonName == null || commonName.isBlank()) {
      throw new IllegalArgumentException("a certificate needs a common name");
    }
    // Built attribute by attribute, so a name holding "," or "=" cannot smuggle in other attributes.
    return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, commonName).build();
  }

  private static KeyPair newKeyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK always has EC P-256", e);
    }
  }
}
