using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Sync.Mqtt;
using Gateway.Sync.Store;
using Gateway.Sync.Uplink;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gateway.Sync.RemoteCommands;

/// <summary>
/// Reads commands from the uplink's incoming queue and answers each on <c>…/cmd/{name}/reply</c>
/// (SPEC section 3). Malformed requests and unknown commands get an <c>"ok":false</c> reply, never
/// silence and never a crash; a handler gets a time limit.
/// </summary>
internal sealed class CommandDispatcher : BackgroundService
{
    public const int MaxRequestBytes = 64 * 1024;
    private static readonly TimeSpan HandlerTimeout = TimeSpan.FromSeconds(30);

    private readonly IMqttUplink _uplink;
    private readonly UplinkTopics _topics;
    private readonly Dictionary<string, ICommandHandler> _handlers;
    private readonly ILogger<CommandDispatcher> _logger;
    private readonly TimeProvider _time;

    public CommandDispatcher(IMqttUplink uplink, UplinkTopics topics, IEnumerable<ICommandHandler> handlers, TimeProvider time, ILogger<CommandDispatcher> logger)
    {
        _uplink = uplink;
        _time = time;
        _topics = topics;
        _logger = logger;
        _handlers = new Dictionary<string, ICommandHandler>(StringComparer.Ordinal);
        foreach (var handler in handlers)
        {
            _handlers[handler.Name] = handler; // the last registration of a name wins
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var message in _uplink.Incoming.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                if (_topics.CommandName(message.Topic) is not { } name)
                {
                    continue;
                }
                try
                {
                    var reply = await HandleAsync(name, message.Payload, stoppingToken).ConfigureAwait(false);
                    var result = await _uplink.PublishAsync(new MqttApplicationMessage(UplinkTopics.Reply(message.Topic), reply), stoppingToken).ConfigureAwait(false);
                    if (!result.IsDelivered)
                    {
                        Log.ReplyNotDelivered(_logger, name, result.Outcome.ToString());
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    Log.Failed(_logger, ex, name);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // stopping
        }
    }

    /// <summary>The reply payload for one request: never throws for anything the request contains.</summary>
    internal async Task<byte[]> HandleAsync(string name, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        JsonNode? id = null;
        JsonObject? args;
        try
        {
            if (payload.Length > MaxRequestBytes)
            {
                // Not parsed as a whole, but its id is usually readable: the caller can match the refusal.
                id = ReadIdOnly(payload.Span);
                throw new CommandException($"request of {payload.Length} bytes exceeds {MaxRequestBytes}");
            }
            var request = JsonNode.Parse(payload.Span) as JsonObject ?? throw new CommandException("the request must be a JSON object {\"id\":…,\"args\":{…}}");
            id = request["id"]?.DeepClone();
            if (id is not JsonValue idValue || idValue.GetValueKind() is not (JsonValueKind.String or JsonValueKind.Number))
            {
                throw new CommandException("the request needs an \"id\" (string or number)");
            }
            args = request["args"] switch
            {
                null => null,
                JsonObject o => o,
                _ => throw new CommandException("\"args\" must be an object"),
            };
        }
        catch (JsonException ex)
        {
            Log.Refused(_logger, name, "invalid JSON");
            return Reply(id, error: $"invalid JSON: {ex.Message}");
        }
        catch (CommandException ex)
        {
            Log.Refused(_logger, name, ex.Message);
            return Reply(id, error: ex.Message);
        }

        var idText = id.ToJsonString(RecordJson.SerializerOptions); // UTF-8 as in the payloads, not \uXXXX
        if (!_handlers.TryGetValue(name, out var handler))
        {
            Log.Handled(_logger, name, idText, "unknown command");
            return Reply(id, error: $"unknown command '{name}' (known: {string.Join(", ", _handlers.Keys.Order(StringComparer.Ordinal))})");
        }
        using var deadline = new CancellationTokenSource(HandlerTimeout, _time);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            var result = await handler.HandleAsync(args, timeout.Token).ConfigureAwait(false);
            Log.Handled(_logger, name, idText, "ok");
            return Reply(id, result: result ?? JsonValue.Create(true));
        }
        catch (CommandException ex)
        {
            Log.Handled(_logger, name, idText, ex.Message);
            return Reply(id, error: ex.Message, details: ex.Details);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Log.Handled(_logger, name, idText, "timed out");
            return Reply(id, error: $"timed out after {HandlerTimeout.TotalSeconds} s");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.Failed(_logger, ex, name);
            return Reply(id, error: "internal error; see the node's log");
        }
    }

    /// <summary>
    /// The top-level <c>"id"</c> of a request, read by a forward-only scan that stops there (other
    /// members are skipped, not built); null when there is none or the JSON breaks before it.
    /// </summary>
    internal static JsonNode? ReadIdOnly(ReadOnlySpan<byte> payload)
    {
        try
        {
            var reader = new Utf8JsonReader(payload);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isId = reader.ValueTextEquals("id"u8);
                if (!reader.Read())
                {
                    return null;
                }
                if (isId)
                {
                    return reader.TokenType switch
                    {
                        JsonTokenType.String => JsonValue.Create(reader.GetString()),
                        JsonTokenType.Number => JsonNode.Parse(reader.ValueSpan),
                        _ => null,
                    };
                }
                reader.Skip();
            }
        }
        catch (JsonException)
        {
            // broken before the id: the reply says so without one
        }
        return null;
    }

    private static byte[] Reply(JsonNode? id, JsonNode? result = null, string? error = null, JsonObject? details = null)
    {
        var reply = new JsonObject { ["id"] = id?.DeepClone(), ["ok"] = error is null };
        if (error is null)
        {
            reply["result"] = result;
        }
        else
        {
            reply["error"] = error;
            foreach (var (key, value) in details ?? [])
            {
                reply.TryAdd(key, value?.DeepClone());
            }
        }
        return JsonSerializer.SerializeToUtf8Bytes(reply, RecordJson.SerializerOptions);
    }
}
