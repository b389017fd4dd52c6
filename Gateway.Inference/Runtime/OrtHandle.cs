using System.Runtime.InteropServices;

namespace Gateway.Inference.Runtime;

/// <summary>An owned ONNX Runtime object (session, options, value, memory info) released by its own Release function.</summary>
internal sealed unsafe class OrtHandle : SafeHandle
{
    private readonly delegate* unmanaged[Cdecl]<nint, void> _release;

    public OrtHandle(nint handle, delegate* unmanaged[Cdecl]<nint, void> release)
        : base(0, ownsHandle: true)
    {
        _release = release;
        SetHandle(handle);
    }

    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle()
    {
        _release(handle);
        return true;
    }
}
