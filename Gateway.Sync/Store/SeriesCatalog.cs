using System.Collections.Concurrent;

namespace Gateway.Sync.Store;

/// <summary>
/// Interned (device, point, unit) triples: a reading row stores only the series id. Written by
/// the store's writer only; read by the outbox reader concurrently.
/// </summary>
internal sealed class SeriesCatalog
{
    private readonly Dictionary<(string Device, string Point, string Unit), long> _ids = [];
    private readonly ConcurrentDictionary<long, (string Device, string Point, string Unit)> _byId = new();
    private readonly List<(string, string, string)> _uncommitted = [];

    public long NextId { get; private set; } = 1;

    public void Load(long id, string device, string point, string unit)
    {
        _ids[(device, point, unit)] = id;
        _byId[id] = (device, point, unit);
        NextId = Math.Max(NextId, id + 1);
    }

    /// <summary>The id of a series; <paramref name="added"/> when it must be inserted in the current transaction.</summary>
    public long GetOrAdd(string device, string point, string unit, out bool added)
    {
        var key = (device, point, unit);
        if (_ids.TryGetValue(key, out var id))
        {
            added = false;
            return id;
        }
        id = NextId++;
        _ids[key] = id;
        _byId[id] = key;
        _uncommitted.Add(key);
        added = true;
        return id;
    }

    public void Commit() => _uncommitted.Clear();

    public void Rollback()
    {
        foreach (var key in _uncommitted)
        {
            if (_ids.Remove(key, out var id))
            {
                _byId.TryRemove(id, out _);
                NextId = Math.Min(NextId, id);
            }
        }
        _uncommitted.Clear();
    }

    public bool TryGet(long id, out (string Device, string Point, string Unit) series) => _byId.TryGetValue(id, out series);
}
