using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace RemoteExecutor.Silo.Hosting;

/// <summary>
/// The certificate silos present to each other. Trust is a pin, not a chain: a peer is accepted only when it
/// presents exactly this certificate (same public key and thumbprint), so only holders of the key take part.
/// </summary>
public static class ClusterCertificate
{
    private static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1");
    private static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2");

    /// <summary>A fresh self-signed certificate with its key (ECDSA P-256, valid ten years).</summary>
    public static X509Certificate2 Create(string subject, TimeSpan validity)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={subject}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([ServerAuth, ClientAuth], false));
        var now = DateTimeOffset.UtcNow;
        using var created = request.CreateSelfSigned(now.AddMinutes(-5), now + validity);
        return Reload(created);
    }

    /// <summary>The certificate and key of two PEM files; throws <see cref="InvalidDataException"/> with a one-line reason.</summary>
    public static X509Certificate2 Load(string certFile, string keyFile)
    {
        try
        {
            using var loaded = X509Certificate2.CreateFromPemFile(certFile, keyFile);
            return Reload(loaded);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            throw new InvalidDataException($"cannot load the cluster certificate from {certFile} and {keyFile}: {ex.Message}", ex);
        }
    }

    /// <summary>Writes <c>cluster.crt</c> and <c>cluster.key</c> (PEM, owner-only) of a fresh certificate into <paramref name="dir"/>.</summary>
    public static (string Cert, string Key) Write(string dir, string subject)
    {
        Directory.CreateDirectory(dir);
        using var cert = Create(subject, TimeSpan.FromDays(3650));
        using var key = cert.GetECDsaPrivateKey()!;
        var certPath = Path.Combine(dir, "cluster.crt");
        var keyPath = Path.Combine(dir, "cluster.key");
        OwnerOnly.WriteFile(certPath, cert.ExportCertificatePem() + "\n");
        OwnerOnly.WriteFile(keyPath, key.ExportPkcs8PrivateKeyPem() + "\n");
        return (certPath, keyPath);
    }

    /// <summary>True when <paramref name="presented"/> is exactly <paramref name="expected"/>.</summary>
    public static bool Matches(X509Certificate2 expected, X509Certificate2? presented) =>
        presented is not null && CryptographicOperations.FixedTimeEquals(expected.RawData, presented.RawData);

    // SslStream on some platforms refuses keys that live only in memory: a PKCS#12 round trip gives a usable one.
    private static X509Certificate2 Reload(X509Certificate2 certificate)
    {
        var password = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12, password), password);
    }
}
