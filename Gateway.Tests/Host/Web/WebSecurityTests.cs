using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Gateway.Host.Web;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Tests.Host.Web;

/// <summary>
/// SPEC section 6's security over real HTTPS on a loopback port, the client trusting the node's
/// certificate by its pin only: 401 without a session, 403 without the CSRF token or as a viewer,
/// 429 after repeated failures (expiring on the fake clock), strict cookies, no secret in any body.
/// </summary>
public sealed class WebSecurityTests
{
    /// <summary>Every API route of the page and of scripts, with the method it answers.</summary>
    public static TheoryData<string, string> ApiRoutes() => new()
    {
        { "POST", "/api/logout" },
        { "GET", "/api/session" },
        { "GET", "/api/status" },
        { "GET", "/api/config" },
        { "PUT", "/api/config" },
        { "POST", "/api/config/validate" },
        { "GET", "/api/config/schema" },
        { "GET", "/api/devices/fields" },
        { "GET", "/api/profiles" },
        { "GET", "/api/devices" },
        { "POST", "/api/devices/water-1/read" },
        { "GET", "/api/audit" },
        { "GET", "/api/cameras" },
        { "GET", "/api/cameras/cam-1/snapshot" },
        { "GET", "/api/logs" },
        { "GET", "/api/no-such-route" },
        { "DELETE", "/api/config" },
    };

    [Fact]
    public async Task Every_api_route_without_a_session_is_401_json_and_login_and_healthz_are_open()
    {
        await using var server = await WebTestServer.StartAsync();
        using var client = server.Client();
        foreach (var (method, path) in ApiRoutes().Select(r => ((string)r[0], (string)r[1])))
        {
            using var request = WebTestServer.Json(new HttpMethod(method), path, "{}");
            request.Headers.Add("Cookie", "__Host-gw-session=made-up-token");
            using var response = await client.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{method} {path}: {(int)response.StatusCode}");
            Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal("not logged in, or the session has expired", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!.GetValue<string>());
        }
        using var health = await client.GetAsync("/healthz");
        var body = await health.Content.ReadAsStringAsync();
        Assert.Equal("degraded", JsonNode.Parse(body)!["status"]!.GetValue<string>()); // no uplink in this server
        Assert.DoesNotContain("web-test-node", body, StringComparison.Ordinal);
        Assert.DoesNotContain("mqtt", body, StringComparison.Ordinal);
        using var wrong = await client.SendAsync(WebTestServer.Json(HttpMethod.Post, "/api/login", """{"user":"tech","password":"nope"}"""));
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal("wrong user name or password", JsonNode.Parse(await wrong.Content.ReadAsStringAsync())!["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task Login_answers_the_csrf_token_and_sets_a_host_only_strict_http_only_secure_cookie()
    {
        await using var server = await WebTestServer.StartAsync();
        using var client = server.Client();
        var session = await server.LoginAsync(client, "tech", WebTestServer.TechnicianPassword);

        var attributes = session.SetCookie.Split(';', StringSplitOptions.TrimEntries).ToList();
        Assert.StartsWith(WebSecurity.SecureCookieName + "=", attributes[0], StringComparison.Ordinal);
        Assert.Contains("secure", attributes, StringComparer.OrdinalIgnoreCase);
        Assert.Contains("httponly", attributes, StringComparer.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", attributes, StringComparer.OrdinalIgnoreCase);
        Assert.Contains("path=/", attributes, StringComparer.OrdinalIgnoreCase);
        Assert.DoesNotContain(attributes, a => a.StartsWith("domain", StringComparison.OrdinalIgnoreCase));
        // 256 random bits, base64url: 43 characters.
        Assert.Equal(43, session.Token.Length);
        var login = JsonNode.Parse(session.LoginBody)!;
        Assert.Equal("tech", login["user"]!.GetValue<string>());
        Assert.Equal("technician", login["role"]!.GetValue<string>());
        Assert.Equal(43, session.Csrf.Length);
        Assert.NotEqual(session.Token, session.Csrf);

        using var me = await client.SendAsync(session.Get("/api/session"));
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        Assert.Equal(session.Csrf, JsonNode.Parse(await me.Content.ReadAsStringAsync())!["csrfToken"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_state_change_without_or_with_a_wrong_csrf_token_is_403_and_with_it_reaches_the_endpoint()
    {
        await using var server = await WebTestServer.StartAsync();
        using var client = server.Client();
        var session = await server.LoginAsync(client, "tech", WebTestServer.TechnicianPassword);
        var other = await server.LoginAsync(client, "tech", WebTestServer.TechnicianPassword);

        foreach (var csrf in new[] { null, "", "wrong", other.Csrf })
        {
            using var response = await client.SendAsync(WebTestServer.Json(HttpMethod.Put, "/api/config", "{}", session, csrf));
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"csrf '{csrf}': {(int)response.StatusCode}");
            Assert.Equal("missing or wrong CSRF token", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!.GetValue<string>());
        }
        using var logoutWithout = await client.SendAsync(WebTestServer.Json(HttpMethod.Post, "/api/logout", "{}", session));
        Assert.Equal(HttpStatusCode.Forbidden, logoutWithout.StatusCode);

        using var applied = await client.SendAsync(WebTestServer.Json(HttpMethod.Put, "/api/config", "{}", session, session.Csrf));
        // Past the CSRF check it reaches the apply path, which refuses a body that is neither a file nor a patch.
        Assert.Equal(HttpStatusCode.BadRequest, applied.StatusCode);
        Assert.Contains("expected \"config\"", JsonNode.Parse(await applied.Content.ReadAsStringAsync())!["error"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_viewer_reads_but_every_change_is_403_even_with_its_csrf_token()
    {
        await using var server = await WebTestServer.StartAsync();
        using var client = server.Client();
        var viewer = await server.LoginAsync(client, "view", WebTestServer.ViewerPassword);
        Assert.Equal("viewer", JsonNode.Parse(viewer.LoginBody)!["role"]!.GetValue<string>());

        using var config = await client.SendAsync(viewer.Get("/api/config"));
        Assert.Equal(HttpStatusCode.OK, config.StatusCode);
        foreach (var method in new[] { HttpMethod.Put, HttpMethod.Delete, HttpMethod.Post })
        {
            using var change = await client.SendAsync(WebTestServer.Json(method, "/api/config", "{}", viewer, viewer.Csrf));
            Assert.Equal(HttpStatusCode.Forbidden, change.StatusCode);
            Assert.Equal("a viewer account cannot change anything on this node", JsonNode.Parse(await change.Content.ReadAsStringAsync())!["error"]!.GetValue<string>());
        }
        // "read now" only reads: a viewer may (404 here: no such device in this configuration).
        using var read = await client.SendAsync(WebTestServer.Json(HttpMethod.Post, "/api/devices/nothing/read", "{}", viewer, viewer.Csrf));
        Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
        using var logout = await client.SendAsync(WebTestServer.Json(HttpMethod.Post, "/api/logout", "{}", viewer, viewer.Csrf));
        Assert.Equal(HttpStatusCode.OK, logout.StatusCode);
        using var after = await client.SendAsync(viewer.Get("/api/config"));
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }

    [Fact]
    public async Task Twenty_wrong_passwords_lock_the_account_with_429_until_the_lock_expires_on_the_clock()
    {
        await using var server = await WebTestServer.StartAsync();
        using var client = server.Client();
        var codes = new List<HttpStatusCode>();
        TimeSpan? retryAfter = null;
        for (var i = 0; i < 20; i++)
        {
            using var response = await client.SendAsync(WebTestServer.Json(HttpMethod.Post, "/api/login", $$"""{"user":"tech","password":"guess-{{i}}"}"""));
            codes.Add(response.StatusCode);
            retryAfter ??= response.Headers.RetryAfter?.Delta;
        }
        Assert.Equal(Enumerable.Repeat(HttpStatusCode.Unauthorized, LoginThrottle.MaxFailures), codes.Take(LoginThrottle.MaxFailures));
        Assert.All(codes.Skip(LoginThrottle.MaxFailures), c => Assert.Equal(HttpStatusCode.TooManyRequests, c));
        Assert.Equal(LoginThrottle.LockDuration, retryAfter);

        // Locked means locked: the right password too, until the lock runs out.
        using var right = await client.SendAsync(WebTestServer.Json(HttpMethod.Post, "/api/login", $$"""{"user":"tech","password":"{{WebTestServer.TechnicianPassword}}"}"""));
        Assert.Equal(HttpStatusCode.TooManyRequests, right.StatusCode);
        var body = JsonNode.Parse(await right.Content.ReadAsStringAsync())!;
        Assert.Equal("too many failed logins", body["error"]!.GetValue<string>());
        Assert.Equal("wait 15 minutes and try again", body["hint"]!.GetValue<string>());

        server.Time.Advance(LoginThrottle.LockDuration - TimeSpan.FromSeconds(1));
        using var early = await client.SendAsync(WebTestServer.Json(HttpMethod.Post, "/api/login", $$"""{"user":"tech","password":"{{WebTestServer.TechnicianPassword}}"}"""));
        Assert.Equal(HttpStatusCode.TooManyRequests, early.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), early.Headers.RetryAfter?.Delta);

        server.Time.Advance(TimeSpan.FromSeconds(1));
        await server.LoginAsync(client, "tech", WebTestServer.TechnicianPassword);
    }

    [Fact]
    public async Task Guessing_many_account_names_from_one_address_locks_the_address()
    {
        await using var server = await WebTestServer.StartAsync();
        using var client = server.Client();
        for (var i = 0; i < LoginThrottle.MaxFailures; i++)
        {
            using var response = await client.SendAsync(WebTestServer.Json(HttpMethod.Post, "/api/login", $$"""{"user":"name{{i}}","password":"x"}"""));
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }
        using var viewer = await client.SendAsync(WebTestServer.Json(HttpMethod.Post, "/api/login", $$"""{"user":"view","password":"{{WebTestServer.ViewerPassword}}"}"""));
        Assert.Equal(HttpStatusCode.TooManyRequests, viewer.StatusCode);
    }

    [Fact]
    public async Task A_session_ends_after_30_idle_minutes_and_after_12_hours_however_busy()
    {
        await using var server = await WebTestServer.StartAsync();
        using var client = server.Client();
        var idle = await server.LoginAsync(client, "tech", WebTestServer.TechnicianPassword);
        server.Time.Advance(SessionTable.IdleTimeout - TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(idle.Get("/api/session"))).StatusCode);
        server.Time.Advance(SessionTable.IdleTimeout);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(idle.Get("/api/session"))).StatusCode);

        var busy = await server.LoginAsync(client, "tech", WebTestServer.TechnicianPassword);
        for (var elapsed = TimeSpan.Zero; elapsed < SessionTable.AbsoluteTimeout - TimeSpan.FromMinutes(20); elapsed += TimeSpan.FromMinutes(20))
        {
            server.Time.Advance(TimeSpan.FromMinutes(20));
            Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(busy.Get("/api/session"))).StatusCode);
        }
        server.Time.Advance(TimeSpan.FromMinutes(20));
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(busy.Get("/api/session"))).StatusCode);
    }

    [Fact]
    public async Task No_response_body_carries_a_password_a_hash_the_key_or_the_session_token()
    {
        await using var server = await WebTestServer.StartAsync();
        using var client = server.Client();
        var session = await server.LoginAsync(client, "tech", WebTestServer.TechnicianPassword);
        var bodies = new List<string> { session.LoginBody };
        foreach (var (method, path) in ApiRoutes().Select(r => ((string)r[0], (string)r[1])).Append(("GET", "/healthz")).Append(("GET", "/")))
        {
            if (path == "/api/logout")
            {
                continue;
            }
            using var response = await client.SendAsync(WebTestServer.Json(new HttpMethod(method), path, "{}", session, session.Csrf));
            bodies.Add(await response.Content.ReadAsStringAsync());
            Assert.False(response.Headers.Contains("Set-Cookie"), $"{method} {path} set a cookie");
        }
        var configBody = bodies.Single(b => b.Contains("\"version\"", StringComparison.Ordinal) && b.Contains("\"config\"", StringComparison.Ordinal));
        Assert.Contains("\"password\":\"***\"", configBody, StringComparison.Ordinal);

        var users = File.ReadAllText(server.Dir.File("users.json"));
        var hashes = JsonNode.Parse(users)!["users"]!.AsArray().Select(u => u!["passwordHash"]!.GetValue<string>().Split('$')[3]).ToList();
        var key = File.ReadAllText(server.CertificatePath).Split("-----BEGIN PRIVATE KEY-----")[1].Split('\n', StringSplitOptions.RemoveEmptyEntries)[0];
        var secrets = new[] { session.Token, WebTestServer.TechnicianPassword, WebTestServer.ViewerPassword, "mqtt-secret-value", key }.Concat(hashes);
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(bodies, b => b.Contains(secret, StringComparison.Ordinal));
        }
        var logs = string.Join('\n', server.Services.GetRequiredService<RecentLogLines>().Snapshot().Select(l => l.Message));
        Assert.Contains("tech (technician) logged in", logs, StringComparison.Ordinal);
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(secret, logs, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Every_answer_carries_the_security_headers()
    {
        await using var server = await WebTestServer.StartAsync();
        using var client = server.Client();
        foreach (var path in new[] { "/", "/healthz", "/api/status", "/assets/app.js" })
        {
            using var response = await client.GetAsync(path);
            var csp = string.Join(' ', response.Headers.GetValues("Content-Security-Policy"));
            Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
            Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
            Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
            Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
            Assert.Equal("no-referrer", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
            Assert.False(response.Headers.Contains("Server"));
        }
    }

    [Fact]
    public async Task With_no_account_the_login_says_how_to_create_one()
    {
        await using var server = await WebTestServer.StartAsync(withUsers: false);
        using var client = server.Client();
        using var response = await client.SendAsync(WebTestServer.Json(HttpMethod.Post, "/api/login", """{"user":"admin","password":"0000"}"""));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.True(body["noUsers"]!.GetValue<bool>());
        Assert.Equal("create an account on the node: edge-gateway user add NAME --role technician", body["hint"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_certificate_is_made_once_private_for_the_node_and_reused_after_a_restart()
    {
        byte[] first;
        string path;
        await using (var server = await WebTestServer.StartAsync())
        {
            path = server.CertificatePath;
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            first = WebTestServer.PinOf(path);
            using var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(path));
            using var ecdsa = certificate.GetECDsaPublicKey();
            Assert.Equal("1.2.840.10045.3.1.7", ecdsa!.ExportParameters(false).Curve.Oid.Value); // P-256
            var san = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
            var names = san.EnumerateDnsNames().ToList();
            Assert.Contains("web-test-node", names);
            Assert.Contains("localhost", names);
            Assert.Contains(System.Net.Dns.GetHostName(), names);
            Assert.Contains(IPAddress.Loopback, san.EnumerateIPAddresses());
            using var client = server.Client();
            using var health = await client.GetAsync("/healthz"); // the pinned client got through: this is the certificate served

            // A restart on the same state directory: same file, same certificate.
            var again = new NodeCertificate(new Gateway.Host.Configuration.WebOptions(), server.Dir.Path, "web-test-node", server.Time,
                Microsoft.Extensions.Logging.Abstractions.NullLogger<NodeCertificate>.Instance).Get();
            Assert.Equal(first, again.GetCertHash(System.Security.Cryptography.HashAlgorithmName.SHA256));
            Assert.True(again.HasPrivateKey);
        }
    }
}
