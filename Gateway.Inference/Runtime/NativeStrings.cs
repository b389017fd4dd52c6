using System.Runtime.InteropServices;
using System.Text;

namespace Gateway.Inference.Runtime;

/// <summary>Zero-terminated UTF-8 copies of strings in native memory plus an array of pointers to them (ORT's <c>const char* const*</c>).</summary>
internal sealed unsafe class NativeStrings : IDisposable
{
    private readonly int _count;

    public NativeStrings(IReadOnlyList<string> values)
    {
        _count = values.Count;
        Pointers = (byte**)NativeMemory.AllocZeroed((nuint)Math.Max(1, values.Count), (nuint)sizeof(byte*));
        for (var i = 0; i < values.Count; i++)
        {
            var bytes = Encoding.UTF8.GetBytes(values[i]);
            var p = (byte*)NativeMemory.Alloc((nuint)bytes.Length + 1);
            bytes.CopyTo(new Span<byte>(p, bytes.Length));
            p[bytes.Length] = 0;
            Pointers[i] = p;
        }
    }

    public byte** Pointers { get; private set; }

    public void Dispose()
    {
        if (Pointers is null)
        {
            return;
        }
        for (var i = 0; i < _count; i++)
        {
            NativeMemory.Free(Pointers[i]);
        }
        NativeMemory.Free(Pointers);
        Pointers = null;
    }
}
