using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Gateway.Sync.Mqtt.Transport;

/// <summary>
/// Opens the byte stream to a broker: TCP, then for <c>mqtts://</c> TLS 1.2+ through
/// <see cref="SslStream"/> with SNI, host-name check and chain verification (optionally against a
/// CA file as the only trust root), presenting a client certificate from PEM files when configured.
/// </summary>
internal sealed class MqttTransportConnector : IMqttTransportConnector
{
    private readonly MqttTlsSettings _tls;
    private readonly Lazy<X509Certificate2Collection?> _trustRoots;
    private readonly Lazy<X509Certificate2?> _clientCertificate;

    public MqttTransportConnector(MqttTlsSettings tls)
    {
        _tls = tls;
        if ((tls.CertFile is null) != (tls.KeyFile is null))
        {
            throw new ArgumentException("mqtt.certFile and mqtt.keyFile must be given together");
        }
        _trustRoots = new Lazy<X509Certificate2Collection?>(LoadTrustRoots);
        _clientCertificate = new Lazy<X509Certificate2?>(LoadClientCertificate);
    }

    public async Task<Stream> ConnectAsync(MqttBrokerEndpoint endpoint, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endpoint.Host, endpoint.Port, cancellationToken).ConfigureAwait(false);
            var network = new NetworkStream(socket, ownsSocket: true);
            if (!endpoint.UseTls)
            {
                return network;
            }
            var ssl = new SslStream(network, leaveInnerStreamOpen: false);
            try
            {
                await ssl.AuthenticateAsClientAsync(ClientOptions(endpoint), cancellationToken).ConfigureAwait(false);
                return ssl;
            }
            catch
            {
                await ssl.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private SslClientAuthenticationOptions ClientOptions(MqttBrokerEndpoint endpoint)
    {
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = endpoint.Host, // SNI, and the name the server certificate must carry
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck, // poles often cannot reach CRL/OCSP endpoints
        };
        if (_trustRoots.Value is { } roots)
        {
            var policy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                RevocationMode = X509RevocationMode.NoCheck,
            };
            policy.CustomTrustStore.AddRange(roots);
            options.CertificateChainPolicy = policy;
        }
        if (_clientCertificate.Value is { } certificate)
        {
            options.ClientCertificateContext = SslStreamCertificateContext.Create(certificate, additionalCertificates: null, offline: true);
        }
        return options;
    }

    private X509Certificate2Collection? LoadTrustRoots()
    {
        if (_tls.CaFile is null)
        {
            return null;
        }
        var roots = new X509Certificate2Collection();
        roots.ImportFromPemFile(_tls.CaFile);
        if (roots.Count == 0)
        {
            throw new InvalidOperationException($"mqtt.caFile {_tls.CaFile} holds no certificate");
        }
        return roots;
    }

    private X509Certificate2? LoadClientCertificate()
    {
        if (_tls.CertFile is null || _tls.KeyFile is null)
        {
            return null;
        }
        using var pem = X509Certificate2.CreateFromPemFile(_tls.CertFile, _tls.KeyFile);
        // Round-trip through PKCS#12 so the private key is usable by the TLS stack on every platform.
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), password: null);
    }
}
