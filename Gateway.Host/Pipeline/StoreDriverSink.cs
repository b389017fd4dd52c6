using System.Text.Json;
using Gateway.Drivers.Abstractions;
using Gateway.Sync.Store;
using DriverQuality = Gateway.Drivers.Abstractions.ReadingQuality;
using DriverValue = Gateway.Drivers.Abstractions.ReadingValue;
using DriverValueKind = Gateway.Drivers.Abstractions.ReadingValueKind;
using StoreQuality = Gateway.Sync.Store.ReadingQuality;
using StoreValue = Gateway.Sync.Store.ReadingValue;

namespace Gateway.Host.Pipeline;

/// <summary>
/// Where everything the drivers produce goes first: the durable store (SPEC section 2.3). One
/// store transaction per batch, so a batch the pump offers again after a failure is either
/// wholly stored already or not at all.
/// </summary>
internal sealed class StoreDriverSink(IRecordStore store) : IDriverSink
{
    public async ValueTask WriteReadingsAsync(ReadOnlyMemory<Reading> readings, CancellationToken cancellationToken)
    {
        if (readings.IsEmpty)
        {
            return;
        }
        var batch = new NewReading[readings.Length];
        var span = readings.Span;
        for (var i = 0; i < span.Length; i++)
        {
            batch[i] = ToStore(span[i]);
        }
        await store.AppendReadingsAsync(batch, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask WriteEventAsync(DriverEvent driverEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(driverEvent);
        var data = JsonSerializer.Serialize(driverEvent.Data, RecordJson.SerializerOptions);
        await store.AppendEventAsync(new NewEvent(driverEvent.Type, driverEvent.Source, data, driverEvent.OccurredAt, driverEvent.Timestamp), cancellationToken).ConfigureAwait(false);
    }

    internal static NewReading ToStore(in Reading r) =>
        new(r.Device, r.Point, ToStore(r.Value), r.Unit, ToStore(r.Quality), r.Reason, r.MeasuredAt, r.Timestamp);

    internal static StoreValue ToStore(DriverValue value) => value.Kind switch
    {
        DriverValueKind.Boolean => StoreValue.FromBoolean(value.AsBoolean()),
        DriverValueKind.Int64 => StoreValue.FromInteger(value.AsInt64()),
        // A u64 beyond 2^63 - 1 (no meter total gets there) keeps its magnitude as a double.
        DriverValueKind.UInt64 => value.AsUInt64() <= long.MaxValue ? StoreValue.FromInteger((long)value.AsUInt64()) : StoreValue.FromDouble(value.AsUInt64()),
        DriverValueKind.Double => StoreValue.FromDouble(value.AsDouble()),
        // No value (a bad reading): rendered as JSON null, its quality and reason say why.
        _ => StoreValue.FromDouble(double.NaN),
    };

    private static StoreQuality ToStore(DriverQuality quality) => quality switch
    {
        DriverQuality.Good => StoreQuality.Good,
        DriverQuality.Bad => StoreQuality.Bad,
        _ => StoreQuality.Uncertain,
    };
}
