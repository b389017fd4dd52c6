using System.Text.Json;
using System.Text.Json.Serialization;

namespace Gateway.Host.Security;

public enum UserRole
{
    Viewer,
    Technician,
}

public sealed record UserAccount(string Name, UserRole Role, string PasswordHash, DateTimeOffset Created, DateTimeOffset Updated);

/// <summary>
/// The local web users, one JSON file readable only by the service account (mode 0600),
/// replaced atomically (write, fsync, rename) so that a power cut leaves the old or the new
/// file, never a torn one. There are no built-in accounts: the first one is made with
/// <c>edge-gateway user add</c>.
/// </summary>
public sealed class UserStore
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    private readonly string _path;

    public UserStore(string path) => _path = path;

    public string Path => _path;

    public IReadOnlyList<UserAccount> Load()
    {
        if (!File.Exists(_path))
        {
            return [];
        }
        try
        {
            return JsonSerializer.Deserialize<UserFile>(File.ReadAllText(_path), Json)?.Users ?? [];
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"users file '{_path}' is corrupt: {ex.Message}", ex);
        }
    }

    /// <summary>Adds the user or replaces its role and password. Returns true when the user is new.</summary>
    public bool Upsert(string name, UserRole role, string passwordHash, DateTimeOffset now)
    {
        var users = Load().ToList();
        var index = users.FindIndex(u => u.Name == name);
        var created = index < 0;
        if (created)
        {
            users.Add(new UserAccount(name, role, passwordHash, now, now));
        }
        else
        {
            users[index] = users[index] with { Role = role, PasswordHash = passwordHash, Updated = now };
        }
        Save(users);
        return created;
    }

    private void Save(List<UserAccount> users) =>
        FileSync.WritePrivateAtomically(_path, stream => JsonSerializer.Serialize(stream, new UserFile(users), Json));

    private sealed record UserFile(List<UserAccount> Users);
}
