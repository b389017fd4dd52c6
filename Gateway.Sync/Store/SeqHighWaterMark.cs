using System.Buffers.Binary;

namespace Gateway.Sync.Store;

/// <summary>
/// The seq high-water mark kept beside the store (<c>buffer.db.seq</c>), so that a store
/// replaced after corruption continues above every seq the old one may have issued (SPEC
/// section 3: never reused). Seqs are reserved in blocks: the mark is rewritten (and fsynced)
/// once per block, not per record. Two checksummed 32-byte slots are written alternately, so a
/// write torn by a power cut leaves the previous mark readable.
/// </summary>
internal sealed class SeqHighWaterMark : IDisposable
{
    public const int SlotSize = 32;

    /// <summary>The file's size on disk (two slots), counted in the store's budget.</summary>
    public const int FileBytes = SlotSize * 2;
    private const uint Magic = 0x51534745; // "EGSQ" read little-endian

    private readonly FileStream _file;
    private ulong _generation;

    private SeqHighWaterMark(FileStream file, Mark? current, ulong generation)
    {
        _file = file;
        Current = current;
        _generation = generation;
    }

    /// <summary>The last durable mark; null when the file is new or unreadable.</summary>
    public Mark? Current { get; private set; }

    private const int EWouldBlock = 11; // flock(2) on a file another process holds (Linux EAGAIN)

    public static SeqHighWaterMark Open(string path)
    {
        FileStream file;
        try
        {
            // Exclusive: a second gateway on the same store would issue the same seqs.
            file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
        }
        catch (IOException ex) when (ex.HResult == EWouldBlock)
        {
            throw new StoreInUseException($"{path} is locked by another process", ex);
        }
        Span<byte> both = stackalloc byte[SlotSize * 2];
        both.Clear();
        file.Position = 0;
        file.ReadAtLeast(both, both.Length, throwOnEndOfStream: false);
        var a = TryParse(both[..SlotSize], out var ga, out var ma);
        var b = TryParse(both[SlotSize..], out var gb, out var mb);
        return (a, b) switch
        {
            (true, true) => ga >= gb ? new(file, ma, ga) : new(file, mb, gb),
            (true, false) => new(file, ma, ga),
            (false, true) => new(file, mb, gb),
            _ => new(file, null, 0),
        };
    }

    /// <summary>Durably records that seqs up to <paramref name="reservedThrough"/> may be issued.</summary>
    public void Write(Mark mark)
    {
        _generation++;
        Span<byte> slot = stackalloc byte[SlotSize];
        Format(slot, _generation, mark);
        _file.Position = (long)(_generation % 2) * SlotSize;
        _file.Write(slot);
        _file.Flush(flushToDisk: true);
        Current = mark;
    }

    public void Dispose() => _file.Dispose();

    /// <param name="ReservedThrough">No seq above this has been issued.</param>
    /// <param name="LowestUnacknowledged">Every seq below this was acknowledged when the mark was written.</param>
    public readonly record struct Mark(long ReservedThrough, long LowestUnacknowledged);

    internal static void Format(Span<byte> slot, ulong generation, Mark mark)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(slot, Magic);
        BinaryPrimitives.WriteUInt64LittleEndian(slot[4..], generation);
        BinaryPrimitives.WriteInt64LittleEndian(slot[12..], mark.ReservedThrough);
        BinaryPrimitives.WriteInt64LittleEndian(slot[20..], mark.LowestUnacknowledged);
        BinaryPrimitives.WriteUInt32LittleEndian(slot[28..], Checksum(slot[..28]));
    }

    internal static bool TryParse(ReadOnlySpan<byte> slot, out ulong generation, out Mark mark)
    {
        generation = 0;
        mark = default;
        if (slot.Length < SlotSize
            || BinaryPrimitives.ReadUInt32LittleEndian(slot) != Magic
            || BinaryPrimitives.ReadUInt32LittleEndian(slot[28..]) != Checksum(slot[..28]))
        {
            return false;
        }
        generation = BinaryPrimitives.ReadUInt64LittleEndian(slot[4..]);
        mark = new Mark(BinaryPrimitives.ReadInt64LittleEndian(slot[12..]), BinaryPrimitives.ReadInt64LittleEndian(slot[20..]));
        return true;
    }

    // FNV-1a: enough to tell a torn or foreign slot from a written one.
    private static uint Checksum(ReadOnlySpan<byte> data)
    {
        var hash = 2166136261u;
        foreach (var b in data)
        {
            hash = (hash ^ b) * 16777619u;
        }
        return hash;
    }
}
