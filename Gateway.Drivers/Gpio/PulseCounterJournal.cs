using System.Buffers.Binary;
using Gateway.Drivers.Interop;

namespace Gateway.Drivers.Gpio;

/// <summary>
/// The crash-safe state of one pulse counter: an append-only file of fixed 16-byte records, each
/// holding the absolute pulse total, fsynced before <see cref="Append"/> returns. Record layout
/// (little-endian): magic "PLS1" u32, total u64, CRC-32 of the first 12 bytes u32. On open the
/// last record that checks out wins; a torn or corrupt tail (power cut mid-write) is cut off.
/// Every <c>compactAfter</c> records the file is rewritten to one record through a temporary file,
/// fsync and rename, so it never grows without bound and is never without a valid total.
/// </summary>
internal sealed class PulseCounterJournal : IDisposable
{
    public const int RecordSize = 16;
    private const uint Magic = 0x31534C50; // "PLS1" read as little-endian
    private readonly string _path;
    private readonly int _compactAfter;
    private FileStream _file;
    private int _records;

    private PulseCounterJournal(string path, int compactAfter, FileStream file, long total, int records, long discardedBytes)
    {
        _path = path;
        _compactAfter = compactAfter;
        _file = file;
        Total = total;
        _records = records;
        DiscardedBytes = discardedBytes;
    }

    /// <summary>The last stored pulse total.</summary>
    public long Total { get; private set; }

    /// <summary>Bytes of a torn or corrupt tail cut off when the journal was opened.</summary>
    public long DiscardedBytes { get; }

    public static PulseCounterJournal Open(string path, int compactAfter = 4096)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(compactAfter, 2);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        File.Delete(path + ".tmp"); // an interrupted compaction; the journal itself is intact
        var file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
        try
        {
            var content = new byte[file.Length];
            file.ReadExactly(content);
            long total = 0;
            var valid = 0;
            while ((valid + 1) * RecordSize <= content.Length && TryDecode(content.AsSpan(valid * RecordSize, RecordSize), out var next) && next >= total)
            {
                total = next;
                valid++;
            }
            var keep = (long)valid * RecordSize;
            var discarded = content.Length - keep;
            if (discarded > 0)
            {
                file.SetLength(keep);
                file.Flush(flushToDisk: true);
            }
            file.Position = keep;
            return new PulseCounterJournal(path, compactAfter, file, total, valid, discarded);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Stores a new total durably (written and fsynced) before returning.</summary>
    public void Append(long total)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(total, Total);
        if (_records >= _compactAfter)
        {
            Compact(total);
            return;
        }
        Span<byte> record = stackalloc byte[RecordSize];
        Encode(total, record);
        _file.Write(record);
        _file.Flush(flushToDisk: true);
        _records++;
        Total = total;
    }

    private void Compact(long total)
    {
        var temporary = _path + ".tmp";
        Span<byte> record = stackalloc byte[RecordSize];
        Encode(total, record);
        using (var fresh = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.None))
        {
            fresh.Write(record);
            fresh.Flush(flushToDisk: true);
        }
        _file.Dispose();
        File.Move(temporary, _path, overwrite: true);
        SyncDirectory(Path.GetDirectoryName(Path.GetFullPath(_path))!);
        _file = new FileStream(_path, FileMode.Open, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
        _file.Position = _file.Length;
        _records = 1;
        Total = total;
    }

    /// <summary>Makes a rename durable: fsync on the directory holding the file.</summary>
    private static void SyncDirectory(string directory)
    {
        var fd = Libc.Open(directory, Libc.O_RDONLY | Libc.O_CLOEXEC);
        if (fd < 0)
        {
            throw Libc.Error("cannot open directory", directory);
        }
        try
        {
            if (Libc.Fsync(fd) < 0)
            {
                throw Libc.Error("cannot fsync directory", directory);
            }
        }
        finally
        {
            Libc.Close(fd);
        }
    }

    internal static void Encode(long total, Span<byte> record)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(record, Magic);
        BinaryPrimitives.WriteInt64LittleEndian(record[4..], total);
        BinaryPrimitives.WriteUInt32LittleEndian(record[12..], Crc32Ieee.Compute(record[..12]));
    }

    internal static bool TryDecode(ReadOnlySpan<byte> record, out long total)
    {
        total = BinaryPrimitives.ReadInt64LittleEndian(record[4..]);
        return BinaryPrimitives.ReadUInt32LittleEndian(record) == Magic
            && BinaryPrimitives.ReadUInt32LittleEndian(record[12..]) == Crc32Ieee.Compute(record[..12])
            && total >= 0;
    }

    public void Dispose() => _file.Dispose();
}
