using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Drivers.Modbus;
using Gateway.Drivers.Modbus.Polling;
using Gateway.Host.Cli;
using Gateway.Host.ConfigApply;
using Gateway.Host.Configuration;
using Gateway.Host.Health;
using Gateway.Host.Hosting;
using Gateway.Host.RemoteCommands;
using Gateway.Host.Security;
using Gateway.Sync.RemoteCommands;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateway.Host.Web;

/// <summary>
/// The JSON API of SPEC section 6 and the page's files. Everything it shows comes from the
/// gateway's own components (the <c>status</c> command, the configuration in force, the Modbus
/// driver, the drivers' latest values), resolved from the gateway's service provider; the
/// optional ones (Modbus, cameras) are looked up per request, so a node without them answers
/// what is missing instead of failing.
/// </summary>
internal sealed class WebApi(IServiceProvider gateway, GatewayOptions options, RunningConfiguration running, SessionTable sessions, LoginThrottle throttle,
    RecentLogLines logLines, LatestDeviceValues latest, StaticAssets assets, TimeProvider time, ILogger<WebApi> logger)
{
    public const string AuditFileName = "audit.jsonl";
    public const string AddUserHint = "create an account on the node: edge-gateway user add NAME --role technician";
    private const int MaxAuditBytes = 4 * 1024 * 1024;

    /// <summary>PBKDF2 at 600,000 rounds costs a pole's core about a second: one verification at a time keeps a login flood from starving the gateway.</summary>
    private readonly SemaphoreSlim _verifying = new(1, 1);

    /// <summary>Verified when the name is unknown, so that a wrong name takes as long as a wrong password.</summary>
    private readonly Lazy<string> _decoyHash = new(() => PasswordHasher.Hash(Guid.NewGuid().ToString()));

    /// <summary>
    /// What endpoints mapped from other folders need from the gateway inside the web application's
    /// own container: <c>/metrics</c> (Health) takes the gateway's metrics, the web options and, for
    /// <c>web.metrics: "session"</c>, this server's login sessions.
    /// </summary>
    public void AddServices(IServiceCollection web)
    {
        if (gateway.GetService<GatewayMetrics>() is { } metrics)
        {
            web.AddSingleton(metrics);
            web.AddSingleton(Microsoft.Extensions.Options.Options.Create(options.Web));
            web.AddSingleton<IMetricsSessionCheck>(new SessionCheck(sessions));
        }
    }

    private sealed class SessionCheck(SessionTable sessions) : IMetricsSessionCheck
    {
        public bool HasSession(HttpContext context) => sessions.Find(context.Request.Cookies[WebSecurity.CookieName(context)]) is not null;
    }

    public void Map(WebApplication app)
    {
        var security = new WebSecurity(sessions, logger);
        app.Use(security.InvokeAsync);
        app.UseRouting();
        app.MapGet("/", context => assets.Serve(context, "index.html"));
        app.MapGet("/assets/{*name}", context => assets.Serve(context, (string)context.Request.RouteValues["name"]!));
        app.MapGet("/healthz", Healthz);
        app.MapPost("/api/login", Login);
        app.MapPost("/api/logout", Logout);
        app.MapGet("/api/session", Session);
        app.MapGet("/api/status", Status);
        app.MapGet("/api/config", GetConfig);
        app.MapPut("/api/config", PutConfig);
        app.MapPost("/api/config/validate", ValidateConfig);
        app.MapGet("/api/config/schema", ConfigSchema);
        app.MapGet("/api/devices/fields", DeviceFields);
        app.MapGet("/api/profiles", Profiles);
        app.MapGet("/api/devices", Devices);
        app.MapPost("/api/devices/{id}/read", ReadNow);
        app.MapGet("/api/audit", Audit);
        app.MapGet("/api/cameras", Cameras);
        app.MapGet("/api/cameras/{id}/snapshot", Snapshot);
        app.MapGet("/api/logs", Logs);
        if (gateway.GetService<GatewayMetrics>() is not null)
        {
            app.MapGatewayMetrics();
        }
        app.Map("/api/{**rest}", context => WebJson.Error(context, StatusCodes.Status404NotFound, $"no such API: {context.Request.Method} {context.Request.Path}", code: "noSuchApi"));
    }

    /// <summary>Public: "ok" or "degraded" and which part is not well — no configuration, no identities, no secrets.</summary>
    private async Task Healthz(HttpContext context)
    {
        var status = await StatusReply(context.RequestAborted).ConfigureAwait(false);
        var uplink = status?["uplink"]?["state"]?.GetValue<string>() ?? "unknown";
        var store = status?["store"]?["writes"]?["state"]?.GetValue<string>() ?? "unknown";
        var failing = status?["components"] is JsonArray components
            ? components.Count(c => c?["state"]?.GetValue<string>() is "restarting" or "failed") // "completed": nothing configured for it
            : 0;
        var ok = uplink == "connected" && store == "ok" && failing == 0;
        await WebJson.Write(context, ok ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable, new JsonObject
        {
            ["status"] = ok ? "ok" : "degraded",
            ["uplink"] = uplink,
            ["store"] = store,
            ["componentsFailing"] = failing,
        }).ConfigureAwait(false);
    }

    private async Task Login(HttpContext context)
    {
        var body = await WebJson.ReadObject(context).ConfigureAwait(false);
        if (body is null)
        {
            return;
        }
        var user = (body["user"] as JsonValue)?.TryGetValue<string>(out var u) == true ? u : null;
        var password = (body["password"] as JsonValue)?.TryGetValue<string>(out var p) == true ? p : null;
        if (string.IsNullOrEmpty(user) || user.Length > 64 || password is null || password.Length > 1024)
        {
            await WebJson.Error(context, StatusCodes.Status400BadRequest, "give a user name and a password", code: "loginIncomplete").ConfigureAwait(false);
            return;
        }
        var client = WebSecurity.Client(context);
        if (await RefuseLocked(context, client, user).ConfigureAwait(false))
        {
            return;
        }
        IReadOnlyList<UserAccount> accounts;
        try
        {
            accounts = new UserStore(UserCommand.UsersFile(options)).Load();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            Log.UsersUnreadable(logger, e.Message);
            await WebJson.Error(context, StatusCodes.Status503ServiceUnavailable, "the node's users file cannot be read", "look at the node's journal; " + AddUserHint, code: "usersUnreadable").ConfigureAwait(false);
            return;
        }
        if (accounts.Count == 0)
        {
            await WebJson.Error(context, StatusCodes.Status401Unauthorized, "this node has no accounts yet", AddUserHint, new JsonObject { ["noUsers"] = true }, "noUsers").ConfigureAwait(false);
            return;
        }
        var account = accounts.FirstOrDefault(a => a.Name == user);
        bool valid;
        await _verifying.WaitAsync(context.RequestAborted).ConfigureAwait(false);
        try
        {
            // Counted again under the lock: requests queued behind a failing one must not slip past the lockout.
            if (await RefuseLocked(context, client, user).ConfigureAwait(false))
            {
                return;
            }
            valid = PasswordHasher.Verify(password, account?.PasswordHash ?? _decoyHash.Value) && account is not null;
            if (!valid)
            {
                throttle.Failed(client, user);
            }
        }
        finally
        {
            _verifying.Release();
        }
        if (!valid)
        {
            Log.LoginFailed(logger, user, client);
            await WebJson.Error(context, StatusCodes.Status401Unauthorized, "wrong user name or password",
                $"after {LoginThrottle.MaxFailures} failures logins are locked for {LoginThrottle.LockDuration.TotalMinutes:0} minutes", code: "wrongLogin").ConfigureAwait(false);
            return;
        }
        throttle.Succeeded(client, user);
        var (token, session) = sessions.Create(account!.Name, account.Role);
        context.Response.Cookies.Append(WebSecurity.CookieName(context), token, new CookieOptions
        {
            HttpOnly = true,
            Secure = context.Request.IsHttps,
            SameSite = SameSiteMode.Strict,
            Path = "/",
            IsEssential = true,
        });
        var role = RoleName(session.Role);
        Log.LoggedIn(logger, session.User, role, client);
        await WebJson.Write(context, StatusCodes.Status200OK, SessionJson(session)).ConfigureAwait(false);
    }

    private async Task<bool> RefuseLocked(HttpContext context, string client, string user)
    {
        var locked = throttle.LockedFor(client, user);
        if (locked <= TimeSpan.Zero)
        {
            return false;
        }
        var seconds = (long)Math.Ceiling(locked.TotalSeconds);
        Log.LoginLocked(logger, user, client, seconds);
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        await WebJson.Error(context, StatusCodes.Status429TooManyRequests, "too many failed logins",
            $"wait {Math.Ceiling(locked.TotalMinutes):0} minutes and try again", new JsonObject { ["retryAfterSeconds"] = seconds }).ConfigureAwait(false);
        return true;
    }

    private Task Logout(HttpContext context)
    {
        var session = WebSecurity.Session(context);
        sessions.Remove(context.Request.Cookies[WebSecurity.CookieName(context)]);
        context.Response.Cookies.Delete(WebSecurity.CookieName(context), new CookieOptions { Path = "/", Secure = context.Request.IsHttps, HttpOnly = true, SameSite = SameSiteMode.Strict });
        Log.LoggedOut(logger, session.User);
        return WebJson.Write(context, StatusCodes.Status200OK, new JsonObject { ["loggedOut"] = true });
    }

    private Task Session(HttpContext context) => WebJson.Write(context, StatusCodes.Status200OK, SessionJson(WebSecurity.Session(context)));

    private JsonObject SessionJson(WebSession session) => new()
    {
        ["user"] = session.User,
        ["role"] = RoleName(session.Role),
        ["csrfToken"] = session.CsrfToken,
        ["node"] = options.Node.Id,
        ["idleTimeoutSeconds"] = SessionTable.IdleTimeout.TotalSeconds,
        ["expiresAt"] = WebJson.Timestamp(session.Created + SessionTable.AbsoluteTimeout),
        ["timeZone"] = NodeTimeZone(),
        ["utcOffsetMinutes"] = TimeZoneInfo.Local.GetUtcOffset(time.GetUtcNow()).TotalMinutes,
    };

    private async Task Status(HttpContext context)
    {
        var status = await StatusReply(context.RequestAborted).ConfigureAwait(false);
        if (status is null)
        {
            await WebJson.Error(context, StatusCodes.Status503ServiceUnavailable, "the status of this node is not available (no uplink component)", code: "noStatus").ConfigureAwait(false);
            return;
        }
        status["timeZone"] = NodeTimeZone();
        await WebJson.Write(context, StatusCodes.Status200OK, status).ConfigureAwait(false);
    }

    /// <summary>The MQTT <c>status</c> command's own reply: one composition of the node's facts for the platform and the page.</summary>
    private async Task<JsonObject?> StatusReply(CancellationToken cancellationToken)
    {
        var command = gateway.GetServices<ICommandHandler>().FirstOrDefault(c => c.Name == "status");
        return command is null ? null : (await command.HandleAsync(null, cancellationToken).ConfigureAwait(false)) as JsonObject;
    }

    private Task GetConfig(HttpContext context)
    {
        var current = running.Current;
        return WebJson.Write(context, StatusCodes.Status200OK, new JsonObject
        {
            ["version"] = current.Version,
            ["path"] = running.ConfigPath,
            ["config"] = ConfigRedaction.Redact(current.EffectiveDocument),
        });
    }

    /// <summary>
    /// The web page's door into the one apply path (<see cref="IConfigApplier"/>, the same as MQTT
    /// <c>config/set</c>): a stale <c>version</c> is 409, a configuration that fails validation 400 with
    /// its errors, one that failed after apply and was rolled back 500 with <c>rolledBack</c>.
    /// </summary>
    private async Task PutConfig(HttpContext context)
    {
        if (await ReadChange(context).ConfigureAwait(false) is not var (change, applier))
        {
            return;
        }
        var session = WebSecurity.Session(context);
        var result = await applier.ApplyAsync(change, new ConfigActor(session.User, ConfigActor.Web), context.RequestAborted).ConfigureAwait(false);
        var reply = result.ToJson();
        if (result.Applied)
        {
            await WebJson.Write(context, StatusCodes.Status200OK, reply).ConfigureAwait(false);
            return;
        }
        var (status, hint, code) = result.Outcome switch
        {
            ConfigApplyOutcome.Conflict => (StatusCodes.Status409Conflict, "someone else changed the configuration: reload it, redo your change and apply again", "versionConflict"),
            ConfigApplyOutcome.Rejected => (StatusCodes.Status400BadRequest, "correct the values named in errors and apply again", "invalidConfig"),
            _ => (StatusCodes.Status500InternalServerError, "the previous configuration is running again; see errors, correct the change and apply again", "rolledBack"),
        };
        reply.Remove("applied");
        await WebJson.Error(context, status, result.Error!, hint, reply, code).ConfigureAwait(false);
    }

    /// <summary>
    /// The apply path's own checks without writing (<see cref="IConfigApplier.ValidateAsync"/>), for
    /// validating as the technician types: always 200 with <c>valid</c>, <c>errors</c> (JSON paths)
    /// and the <c>diff</c> against the running file, secrets masked.
    /// </summary>
    private async Task ValidateConfig(HttpContext context)
    {
        if (await ReadChange(context).ConfigureAwait(false) is not var (change, applier))
        {
            return;
        }
        var validation = await applier.ValidateAsync(change, context.RequestAborted).ConfigureAwait(false);
        await WebJson.Write(context, StatusCodes.Status200OK, validation.ToJson()).ConfigureAwait(false);
    }

    /// <summary>A change from the request body (as MQTT <c>config/set</c> takes it) and the apply path, or null after answering why not.</summary>
    private async Task<(ConfigChange Change, IConfigApplier Applier)?> ReadChange(HttpContext context)
    {
        var body = await WebJson.ReadObject(context).ConfigureAwait(false);
        if (body is null)
        {
            return null; // answered (415 or 400)
        }
        if (!ConfigChange.TryParse(body, out var change, out var parseError))
        {
            await WebJson.Error(context, StatusCodes.Status400BadRequest, parseError!.Message, "send {\"config\":{…}} or {\"patch\":{…}} with the version you edited",
                new JsonObject { ["errors"] = new JsonArray(new JsonObject { ["path"] = parseError.Path, ["message"] = parseError.Message }) }, "badChange").ConfigureAwait(false);
            return null;
        }
        if (gateway.GetService<IConfigApplier>() is not { } applier)
        {
            await WebJson.Error(context, StatusCodes.Status503ServiceUnavailable, "this gateway has no configuration-apply path", code: "noApplyPath").ConfigureAwait(false);
            return null;
        }
        return (change!, applier);
    }

    /// <summary>The shipped schema the apply path validates against (read-only; what editors and scripts check a file with).</summary>
    private static Task ConfigSchema(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/schema+json; charset=utf-8";
        return context.Response.WriteAsync(DeviceForms.SchemaText(), context.RequestAborted);
    }

    /// <summary>Per device type the keys of its form, derived from the schema (<see cref="DeviceForms"/>).</summary>
    private static Task DeviceFields(HttpContext context) => WebJson.Write(context, StatusCodes.Status200OK, DeviceForms.FieldsJson());

    private Task Profiles(HttpContext context) =>
        WebJson.Write(context, StatusCodes.Status200OK, new JsonObject { ["profiles"] = DeviceForms.Profiles(running.ConfigPath) });

    private Task Devices(HttpContext context)
    {
        var modbus = gateway.GetService<IModbusDriverStatus>()?.GetStatus().ToDictionary(s => s.DeviceId, StringComparer.Ordinal) ?? [];
        var list = new JsonArray();
        foreach (var device in running.Current.Options.Devices)
        {
            var item = new JsonObject { ["id"] = device.Id, ["type"] = device.Type };
            if (device.Type == "modbus")
            {
                item["endpoint"] = device.Endpoint ?? $"bus:{device.Bus}";
                item["unitId"] = device.UnitId;
                item["points"] = device.Points.Count;
            }
            if (modbus.TryGetValue(device.Id, out var polled))
            {
                item["health"] = new JsonObject { ["state"] = polled.Health.ToString().ToLowerInvariant(), ["polls"] = polled.Polls, ["missedPolls"] = polled.MissedPolls };
            }
            else if (latest.StateOf(device.Id) is { } state)
            {
                item["health"] = new JsonObject { ["state"] = state.Online ? "online" : "offline", ["reason"] = state.Reason, ["since"] = WebJson.Timestamp(state.Since) };
            }
            else if (latest.ReadingsOf(device.Id) is { Count: > 0 } readings)
            {
                // A device that works from the start raises no device.online: its readings say it is there.
                var good = readings.All(r => r.Quality == ReadingQuality.Good);
                item["health"] = new JsonObject { ["state"] = good ? "online" : "uncertain", ["from"] = "readings" };
            }
            item["latest"] = LatestJson(device.Id);
            list.Add(item);
        }
        return WebJson.Write(context, StatusCodes.Status200OK, new JsonObject { ["devices"] = list });
    }

    private JsonArray LatestJson(string device) =>
        [.. latest.ReadingsOf(device).Select(r => (JsonNode)new JsonObject
        {
            ["point"] = r.Point,
            ["value"] = WebJson.Value(r.Value),
            ["unit"] = r.Unit,
            ["quality"] = r.Quality.ToString().ToLowerInvariant(),
            ["reason"] = r.Reason,
            ["ts"] = WebJson.Timestamp(r.MeasuredAt),
        })];

    private async Task ReadNow(HttpContext context)
    {
        var id = (string)context.Request.RouteValues["id"]!;
        var device = running.Current.Options.Devices.FirstOrDefault(d => d.Id == id);
        if (device is null)
        {
            await WebJson.Error(context, StatusCodes.Status404NotFound, $"no device '{id}' in the configuration", code: "unknownDevice").ConfigureAwait(false);
            return;
        }
        if (device.Type != "modbus")
        {
            await WebJson.Write(context, StatusCodes.Status200OK, new JsonObject
            {
                ["device"] = id,
                ["type"] = device.Type,
                ["source"] = "latest",
                ["points"] = LatestJson(id),
            }).ConfigureAwait(false);
            return;
        }
        var result = gateway.GetService<IModbusReader>() is { } reader ? await reader.ReadOnceAsync(id, context.RequestAborted).ConfigureAwait(false) : null;
        if (result is null)
        {
            await WebJson.Error(context, StatusCodes.Status503ServiceUnavailable, $"the Modbus driver does not run '{id}' on this node", code: "deviceNotRunning").ConfigureAwait(false);
            return;
        }
        await WebJson.Write(context, StatusCodes.Status200OK, new JsonObject
        {
            ["device"] = id,
            ["type"] = device.Type,
            ["source"] = "read",
            ["unitId"] = result.UnitId,
            ["readAt"] = WebJson.Timestamp(result.ReadAt),
            ["points"] = new JsonArray([.. result.Points.Select(p => (JsonNode)new JsonObject
            {
                ["point"] = p.Name,
                ["table"] = p.Table,
                ["address"] = p.Address,
                ["type"] = p.Type,
                ["raw"] = p.Raw,
                ["value"] = WebJson.Value(p.Value),
                ["unit"] = p.Unit,
                ["error"] = p.Error,
            })]),
        }).ConfigureAwait(false);
    }

    /// <summary>The audit log the configuration-apply path writes beside the store, newest first.</summary>
    private async Task Audit(HttpContext context)
    {
        var limit = Limit(context, 100, 1000);
        var path = Path.Combine(StateDirectory(options), AuditFileName);
        var entries = new JsonArray();
        var unreadable = 0;
        if (File.Exists(path))
        {
            foreach (var line in (await ReadTail(path, context.RequestAborted).ConfigureAwait(false)).Reverse())
            {
                if (entries.Count >= limit)
                {
                    break;
                }
                try
                {
                    if (JsonNode.Parse(line) is JsonObject entry)
                    {
                        entries.Add(entry);
                        continue;
                    }
                }
                catch (JsonException)
                {
                    // a torn last line after a power cut; counted, not fatal
                }
                unreadable++;
            }
        }
        await WebJson.Write(context, StatusCodes.Status200OK, new JsonObject
        {
            ["entries"] = entries,
            ["unreadableLines"] = unreadable,
            ["recorded"] = File.Exists(path),
        }).ConfigureAwait(false);
    }

    private static async Task<IEnumerable<string>> ReadTail(string path, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var skipped = stream.Length > MaxAuditBytes;
        if (skipped)
        {
            stream.Seek(-MaxAuditBytes, SeekOrigin.End);
        }
        using var reader = new StreamReader(stream);
        var text = await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return skipped ? lines.Skip(1) : lines; // the first line of a tail may be cut
    }

    private Task Cameras(HttpContext context)
    {
        if (gateway.GetService<ICameraStillSource>() is not { } cameras)
        {
            return CamerasMissing(context);
        }
        return WebJson.Write(context, StatusCodes.Status200OK, new JsonObject { ["cameras"] = new JsonArray([.. cameras.Describe()]) });
    }

    private async Task Snapshot(HttpContext context)
    {
        if (gateway.GetService<ICameraStillSource>() is not { } cameras)
        {
            await CamerasMissing(context).ConfigureAwait(false);
            return;
        }
        var id = (string)context.Request.RouteValues["id"]!;
        if (!cameras.Knows(id))
        {
            await WebJson.Error(context, StatusCodes.Status404NotFound, $"no camera '{id}' in the configuration", code: "unknownCamera").ConfigureAwait(false);
            return;
        }
        if (await cameras.StillAsync(id, context.RequestAborted).ConfigureAwait(false) is not { } jpeg)
        {
            await WebJson.Error(context, StatusCodes.Status503ServiceUnavailable, $"camera '{id}' has no analysed frame yet",
                "wait for the camera to stream (its state on the cameras page) and refresh", code: "noStillYet").ConfigureAwait(false);
            return;
        }
        context.Response.ContentType = "image/jpeg";
        context.Response.Headers.CacheControl = "no-store";
        await context.Response.Body.WriteAsync(jpeg, context.RequestAborted).ConfigureAwait(false);
    }

    private Task CamerasMissing(HttpContext context) =>
        WebJson.Error(context, StatusCodes.Status503ServiceUnavailable, "camera analysis not built yet", "cameras, stills and zones appear here once camera analysis is part of this gateway",
            new JsonObject { ["configured"] = new JsonArray([.. running.Current.Options.Cameras.Select(c => (JsonNode)c.Id)]) }, "camerasMissing");

    private Task Logs(HttpContext context)
    {
        var limit = Limit(context, 200, RecentLogLines.Capacity);
        var lines = logLines.Snapshot();
        return WebJson.Write(context, StatusCodes.Status200OK, new JsonObject
        {
            ["lines"] = new JsonArray([.. lines.Skip(Math.Max(0, lines.Count - limit)).Select(l => (JsonNode)new JsonObject
            {
                ["ts"] = WebJson.Timestamp(l.Ts),
                ["level"] = l.Level,
                ["category"] = l.Category,
                ["eventId"] = l.EventId,
                ["message"] = l.Message,
            })]),
        });
    }

    private static int Limit(HttpContext context, int fallback, int max) =>
        int.TryParse(context.Request.Query["limit"], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? Math.Min(n, max) : fallback;

    private static string RoleName(UserRole role) => role.ToString().ToLowerInvariant();

    private static string NodeTimeZone() => TimeZoneInfo.Local.Id;

    /// <summary>The node's state directory: where the store lives, and the users file, certificate and audit log beside it.</summary>
    public static string StateDirectory(GatewayOptions options) => Path.GetDirectoryName(Path.GetFullPath(options.Storage.Path))!;
}
