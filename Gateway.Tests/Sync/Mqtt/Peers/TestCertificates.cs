using Gateway.Tests.Support;

namespace Gateway.Tests.Sync.Mqtt.Peers;

/// <summary>
/// A throw-away PKI made with openssl: a CA, a server certificate for <c>localhost</c> only (so that
/// connecting to 127.0.0.1 fails the host-name check), and a client certificate.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    private readonly TempDirectory _directory = new("gw-pki");

    public TestCertificates(string caName = "gateway-test-ca")
    {
        ExternalTool.Require("openssl");
        CaFile = _directory.File("ca.crt");
        Openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
            "-subj", $"/CN={caName}", "-keyout", _directory.File("ca.key"), "-out", CaFile);
        ServerCertFile = Issue("server", "/CN=localhost", "subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\n");
        ServerKeyFile = _directory.File("server.key");
        ClientCertFile = Issue("client", "/CN=pole-0001", "extendedKeyUsage=clientAuth\n");
        ClientKeyFile = _directory.File("client.key");
    }

    public string CaFile { get; }

    public string ServerCertFile { get; }

    public string ServerKeyFile { get; }

    public string ClientCertFile { get; }

    public string ClientKeyFile { get; }

    public void Dispose() => _directory.Dispose();

    private string Issue(string name, string subject, string extensions)
    {
        var key = _directory.File(name + ".key");
        var csr = _directory.File(name + ".csr");
        var cert = _directory.File(name + ".crt");
        var ext = _directory.File(name + ".ext");
        File.WriteAllText(ext, "basicConstraints=CA:FALSE\n" + extensions);
        Openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj", subject, "-keyout", key, "-out", csr);
        Openssl("x509", "-req", "-in", csr, "-CA", CaFile, "-CAkey", _directory.File("ca.key"), "-CAcreateserial", "-days", "2",
            "-extfile", ext, "-out", cert);
        return cert;
    }

    private void Openssl(params string[] args)
    {
        var result = ExternalTool.Run("openssl", args, TimeSpan.FromSeconds(30), workingDirectory: _directory.Path);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"openssl {string.Join(' ', args)} failed: {result.StdErr}");
        }
    }
}
