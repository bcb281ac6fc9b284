package dev.lustrecsi.common.tls;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;

/** PEM encoding and decoding of X.509 certificates and PKCS#8 private keys. */
public final class Pem {
  private Pem() {}

  public static String encode(X509Certificate certificate) {
    return write(certificate);
  }

  /** A private key as unencrypted PKCS#8 ({@code -----BEGIN PRIVATE KEY-----}), the form Netty reads. */
  public static String encode(PrivateKey key) {
    try {
      return write(new JcaPKCS8Generator(key, null).generate());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static X509Certificate certificate(String pem) {
    Object object = read(pem);
    if (!(object instanceof X509CertificateHolder holder)) {
      throw new IllegalArgumentException("PEM text holds no certificate");
    }
    try {
      return new JcaX509CertificateConverter().getCertificate(holder);
    } catch (CertificateException e) {
      throw new IllegalArgumentException("unreadable certificate: " + e.getMessage(), e);
    }
  }

  public static PrivateKey privateKey(String pem) {
    Object object = read(pem);
    if (!(object instanceof PrivateKeyInfo info)) {
      throw new IllegalArgumentException("PEM text holds no PKCS#8 private key");
    }
    try {
      return new JcaPEMKeyConverter().getPrivateKey(info);
    } catch (IOException e) {
      throw new IllegalArgumentException("unreadable private key: " + e.getMessage(), e);
    }
  }

  private static Object read(String pem) {
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      Object object = parser.readObject();
      if (object == null) {
        throw new IllegalArgumentException("no PEM block found");
      }
      return object;
    } catch (IOException e) {
      throw new IllegalArgumentException("malformed PEM: " + e.getMessage(), e);
    }
  }

  private static String write(Object object) {
    StringWriter text = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
      writer.writeObject(object);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return text.toString();
  }
}
