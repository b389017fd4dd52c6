using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Gateway.Host.ConfigApply;
using Gateway.Host.Configuration;
using Gateway.Host.Hosting;
using Gateway.Host.Security;
using Gateway.Host.Web;
using Gateway.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gateway.Tests.Host.Web;

/// <summary>
/// The web server as <c>AddTechnicianWeb</c> composes it, on a loopback HTTPS port, over a fake
/// clock, with a technician and a viewer in its users file. Nothing else of the gateway runs.
/// </summary>
internal sealed class WebTestServer : IAsyncDisposable
{
    public const string TechnicianPassword = "correct horse battery";
    public const string ViewerPassword = "viewer staple 2026";

    private readonly ServiceProvider _provider;
    private readonly IHostedService _server;

    private WebTestServer(TempDirectory dir, ServiceProvider provider, IHostedService server, int port, WatchedFakeTime time)
    {
        Dir = dir;
        _provider = provider;
        _server = server;
        Port = port;
        Time = time;
    }

    public TempDirectory Dir { get; }

    public int Port { get; }

    public WatchedFakeTime Time { get; }

    public Uri BaseUri => new($"https://127.0.0.1:{Port}");

    public IServiceProvider Services => _provider;

    public string CertificatePath => Dir.File(NodeCertificate.FileName);

    public static async Task<WebTestServer> StartAsync(bool withUsers = true, string? extraConfig = null)
    {
        var dir = new TempDirectory("gw-web");
        var port = Net.FreePort();
        var text = $$"""
            { "node": { "id": "web-test-node" }, "storage": { "path": "{{dir.File("buffer.db")}}" },
              "mqtt": { "brokers": ["mqtt://127.0.0.1:1"], "username": "u", "password": "mqtt-secret-value" },
              "web": { "urls": ["https://127.0.0.1:{{port}}"] } {{extraConfig}} }
            """;
        File.WriteAllText(dir.File("gateway.json"), text);
        var loaded = GatewayConfigLoader.LoadText(text, dir.Path, []);
        Assert.True(loaded.IsValid, string.Join("; ", loaded.Errors));
        var time = new WatchedFakeTime(new DateTimeOffset(2026, 11, 29, 8, 0, 0, TimeSpan.Zero));
        if (withUsers)
        {
            var users = new UserStore(dir.File("users.json"));
            users.Upsert("tech", UserRole.Technician, PasswordHasher.Hash(TechnicianPassword, 1000), time.GetUtcNow());
            users.Upsert("view", UserRole.Viewer, PasswordHasher.Hash(ViewerPassword, 1000), time.GetUtcNow());
        }
        var services = new ServiceCollection();
        services.AddLogging(l => l.SetMinimumLevel(LogLevel.Debug));
        services.AddSingleton<TimeProvider>(time);
        services.AddSingleton(loaded.Options!);
        services.AddSingleton(new GatewayRunInfo(dir.File("gateway.json"), [], loaded.Document!));
        services.AddSingleton(RunningConfiguration.FromFile(dir.File("gateway.json"), loaded.Document!, loaded.Options!));
        services.AddSingleton(new IngestQueue(100));
        services.AddTechnicianWeb(loaded.Options!);
        var provider = services.BuildServiceProvider();
        var server = provider.GetServices<IHostedService>().Single();
        await server.StartAsync(CancellationToken.None);
        await Net.WaitForListenerAsync(port, TimeSpan.FromSeconds(20));
        return new WebTestServer(dir, provider, server, port, time);
    }

    /// <summary>A client that trusts the node's certificate by its SHA-256 pin only, and keeps no cookies of its own.</summary>
    public HttpClient Client() => PinnedClient(CertificatePath, BaseUri, cookies: null);

    /// <summary>An HTTPS client that accepts only the certificate in <paramref name="pemPath"/> (by its SHA-256), whatever its names and dates.</summary>
    public static HttpClient PinnedClient(string pemPath, Uri baseUri, CookieContainer? cookies)
    {
        var pin = PinOf(pemPath);
        var handler = new SocketsHttpHandler
        {
            UseCookies = cookies is not null,
            CookieContainer = cookies ?? new CookieContainer(),
            SslOptions = { RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null && PinMatches(certificate, pin) },
        };
        return new HttpClient(handler) { BaseAddress = baseUri, Timeout = TimeSpan.FromSeconds(30) };
    }

    public static byte[] PinOf(string pemPath)
    {
        using var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(pemPath));
        return certificate.GetCertHash(HashAlgorithmName.SHA256);
    }

    private static bool PinMatches(X509Certificate certificate, byte[] pin) =>
        CryptographicOperations.FixedTimeEquals(certificate.GetCertHash(HashAlgorithmName.SHA256), pin);

    public static HttpRequestMessage Json(HttpMethod method, string path, string json, LoggedIn? session = null, string? csrf = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        session?.Apply(request, csrf);
        return request;
    }

    public async Task<LoggedIn> LoginAsync(HttpClient client, string user, string password)
    {
        using var response = await client.SendAsync(Json(HttpMethod.Post, "/api/login", new JsonObject { ["user"] = user, ["password"] = password }.ToJsonString()));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"login of {user}: {(int)response.StatusCode} {body}");
        var setCookie = Assert.Single(response.Headers.GetValues("Set-Cookie"));
        var json = JsonNode.Parse(body)!;
        return new LoggedIn(setCookie, setCookie.Split(';')[0], json["csrfToken"]!.GetValue<string>(), body);
    }

    public async ValueTask DisposeAsync()
    {
        await _server.StopAsync(CancellationToken.None);
        await _provider.DisposeAsync();
        Dir.Dispose();
    }

    /// <param name="SetCookie">The whole Set-Cookie header of the login.</param>
    /// <param name="Cookie">"name=token", as a browser sends it back.</param>
    internal sealed record LoggedIn(string SetCookie, string Cookie, string Csrf, string LoginBody)
    {
        public string Token => Cookie[(Cookie.IndexOf('=', StringComparison.Ordinal) + 1)..];

        public void Apply(HttpRequestMessage request, string? csrf = null)
        {
            request.Headers.Add("Cookie", Cookie);
            if (csrf is not null)
            {
                request.Headers.Add("X-CSRF-Token", csrf);
            }
        }

        public HttpRequestMessage Get(string path)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, path);
            Apply(request);
            return request;
        }
    }
}
