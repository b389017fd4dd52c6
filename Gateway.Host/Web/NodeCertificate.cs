using System.Net;
using System.Net.NetworkInformation;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gateway.Host.Configuration;
using Gateway.Host.Security;
using Microsoft.Extensions.Logging;

namespace Gateway.Host.Web;

/// <summary>
/// The certificate the web server presents: the configured <c>web.certFile</c>/<c>web.keyFile</c>,
/// or the node's own self-signed one (ECDSA P-256), made on first start and kept in the node's
/// state directory (beside the store) as one PEM file, mode 0600, so that a technician who pinned
/// or accepted it once sees the same one after every restart.
/// </summary>
public sealed class NodeCertificate
{
    public const string FileName = "web-certificate.pem";

    private readonly WebOptions _web;
    private readonly string _stateDirectory;
    private readonly string _nodeId;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private X509Certificate2? _certificate;

    public NodeCertificate(WebOptions web, string stateDirectory, string nodeId, TimeProvider time, ILogger<NodeCertificate> logger)
    {
        _web = web;
        _stateDirectory = stateDirectory;
        _nodeId = nodeId;
        _time = time;
        _logger = logger;
    }

    /// <summary>Where the self-signed certificate lives (whether or not it is used).</summary>
    public string SelfSignedPath => Path.Combine(_stateDirectory, FileName);

    /// <summary>Loads or creates the certificate once; <see cref="WebStartException"/> with a one-line reason when it cannot.</summary>
    public X509Certificate2 Get()
    {
        lock (_gate)
        {
            return _certificate ??= _web.CertFile is { } certFile ? LoadConfigured(certFile, _web.KeyFile!) : LoadOrCreate();
        }
    }

    public static string Fingerprint(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return Convert.ToHexString(certificate.GetCertHash(HashAlgorithmName.SHA256));
    }

    private static X509Certificate2 LoadConfigured(string certFile, string keyFile)
    {
        try
        {
            var certificate = X509Certificate2.CreateFromPemFile(certFile, keyFile);
            return certificate.HasPrivateKey ? certificate : throw new WebStartException($"web.keyFile: '{keyFile}' holds no private key for '{certFile}'");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            throw new WebStartException($"web.certFile: cannot use '{certFile}' with '{keyFile}': {e.Message}", e);
        }
    }

    private X509Certificate2 LoadOrCreate()
    {
        var path = SelfSignedPath;
        if (File.Exists(path))
        {
            try
            {
                var pem = File.ReadAllText(path);
                return X509Certificate2.CreateFromPem(pem, pem);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
            {
                throw new WebStartException($"web: the node's certificate '{path}' cannot be read ({e.Message}); delete it to have a new one made", e);
            }
        }
        try
        {
            var (certificate, pemText) = Create();
            FileSync.WritePrivateAtomically(path, stream => stream.Write(System.Text.Encoding.ASCII.GetBytes(pemText)));
            Log.CertificateCreated(_logger, path, certificate.NotAfter);
            return certificate;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new WebStartException($"web: cannot write the node's certificate '{path}': {e.Message}", e);
        }
        catch (Exception e) when (e is PlatformNotSupportedException or CryptographicException)
        {
            throw new WebStartException($"web: cannot make the node's certificate ({e.Message}); install OpenSSL (libssl3), or configure web.certFile and web.keyFile, or set web.urls to [] to run without the page", e);
        }
    }

    private (X509Certificate2 Certificate, string Pem) Create()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName($"CN={Escape(_nodeId)}, O=edge-gateway"), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(SubjectAlternativeNames());
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        // A pole may boot at 1970 until NTP syncs: a validity window around "now" would then end in
        // 1980 and the certificate would be expired forever after. The window spans both.
        var now = _time.GetUtcNow();
        var floor = new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var notBefore = (now < floor ? now : floor).AddDays(-1);
        var notAfter = (now > floor ? now : floor).AddYears(20);
        using var certificate = request.CreateSelfSigned(notBefore, notAfter);
        var pem = certificate.ExportCertificatePem() + "\n" + key.ExportPkcs8PrivateKeyPem() + "\n";
        return (X509Certificate2.CreateFromPem(pem, pem), pem);
    }

    private X509Extension SubjectAlternativeNames()
    {
        var names = new SubjectAlternativeNameBuilder();
        foreach (var dns in new[] { _nodeId, "localhost", Dns.GetHostName() }.Where(IsDnsName).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            names.AddDnsName(dns);
        }
        foreach (var address in LocalAddresses())
        {
            names.AddIpAddress(address);
        }
        return names.Build();
    }

    private static IEnumerable<IPAddress> LocalAddresses()
    {
        var addresses = new List<IPAddress> { IPAddress.Loopback, IPAddress.IPv6Loopback };
        try
        {
            addresses.AddRange(NetworkInterface.GetAllNetworkInterfaces()
                .SelectMany(i => i.GetIPProperties().UnicastAddresses)
                .Select(u => u.Address)
                .Where(a => !a.IsIPv6LinkLocal));
        }
        catch (NetworkInformationException)
        {
            // loopback alone still serves a browser on the node itself
        }
        return addresses.Distinct();
    }

    private static bool IsDnsName(string name) => Uri.CheckHostName(name) == UriHostNameType.Dns;

    private static string Escape(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace(",", "\\,", StringComparison.Ordinal)
        .Replace("=", "\\=", StringComparison.Ordinal).Replace("+", "\\+", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);
}
