using System.Runtime.InteropServices;

namespace Gateway.Inference.Runtime;

/// <summary>
/// The slots of ONNX Runtime's <c>OrtApi</c> function table (API version 22) that the binding
/// calls. The table only ever grows at its end, so a slot index, once published, never changes;
/// the indices below follow the declaration order of <c>struct OrtApi</c> in
/// <c>include/onnxruntime/core/session/onnxruntime_c_api.h</c>. Every function returns an
/// <c>OrtStatus*</c> (null = success) unless noted.
/// </summary>
internal sealed unsafe class OrtApi
{
    public const uint Version = 22;

    private const int SlotCreateStatus = 0;
    private const int SlotGetErrorCode = 1;
    private const int SlotGetErrorMessage = 2;
    private const int SlotCreateEnv = 3;
    private const int SlotCreateSession = 7;
    private const int SlotCreateSessionFromArray = 8;
    private const int SlotRun = 9;
    private const int SlotCreateSessionOptions = 10;
    private const int SlotSetSessionGraphOptimizationLevel = 23;
    private const int SlotSetIntraOpNumThreads = 24;
    private const int SlotSetInterOpNumThreads = 25;
    private const int SlotSessionGetInputCount = 30;
    private const int SlotSessionGetOutputCount = 31;
    private const int SlotSessionGetInputTypeInfo = 33;
    private const int SlotSessionGetOutputTypeInfo = 34;
    private const int SlotSessionGetInputName = 36;
    private const int SlotSessionGetOutputName = 37;
    private const int SlotCreateTensorWithDataAsOrtValue = 49;
    private const int SlotGetTensorMutableData = 51;
    private const int SlotCastTypeInfoToTensorInfo = 55;
    private const int SlotGetOnnxTypeFromTypeInfo = 56;
    private const int SlotGetTensorElementType = 60;
    private const int SlotGetDimensionsCount = 61;
    private const int SlotGetDimensions = 62;
    private const int SlotGetTensorTypeAndShape = 65;
    private const int SlotCreateCpuMemoryInfo = 69;
    private const int SlotAllocatorFree = 76;
    private const int SlotGetAllocatorWithDefaultOptions = 78;
    private const int SlotReleaseEnv = 92;
    private const int SlotReleaseStatus = 93;
    private const int SlotReleaseMemoryInfo = 94;
    private const int SlotReleaseSession = 95;
    private const int SlotReleaseValue = 96;
    private const int SlotReleaseTypeInfo = 98;
    private const int SlotReleaseTensorTypeAndShapeInfo = 99;
    private const int SlotReleaseSessionOptions = 100;
    private const int SlotAddSessionConfigEntry = 130;

    public OrtApi(nint* table, string versionString)
    {
        VersionString = versionString;
        CreateStatus = (delegate* unmanaged[Cdecl]<int, byte*, nint>)table[SlotCreateStatus];
        GetErrorCode = (delegate* unmanaged[Cdecl]<nint, int>)table[SlotGetErrorCode];
        GetErrorMessage = (delegate* unmanaged[Cdecl]<nint, byte*>)table[SlotGetErrorMessage];
        CreateEnv = (delegate* unmanaged[Cdecl]<int, byte*, nint*, nint>)table[SlotCreateEnv];
        CreateSession = (delegate* unmanaged[Cdecl]<nint, byte*, nint, nint*, nint>)table[SlotCreateSession];
        CreateSessionFromArray = (delegate* unmanaged[Cdecl]<nint, void*, nuint, nint, nint*, nint>)table[SlotCreateSessionFromArray];
        Run = (delegate* unmanaged[Cdecl]<nint, nint, byte**, nint*, nuint, byte**, nuint, nint*, nint>)table[SlotRun];
        CreateSessionOptions = (delegate* unmanaged[Cdecl]<nint*, nint>)table[SlotCreateSessionOptions];
        SetSessionGraphOptimizationLevel = (delegate* unmanaged[Cdecl]<nint, int, nint>)table[SlotSetSessionGraphOptimizationLevel];
        SetIntraOpNumThreads = (delegate* unmanaged[Cdecl]<nint, int, nint>)table[SlotSetIntraOpNumThreads];
        SetInterOpNumThreads = (delegate* unmanaged[Cdecl]<nint, int, nint>)table[SlotSetInterOpNumThreads];
        SessionGetInputCount = (delegate* unmanaged[Cdecl]<nint, nuint*, nint>)table[SlotSessionGetInputCount];
        SessionGetOutputCount = (delegate* unmanaged[Cdecl]<nint, nuint*, nint>)table[SlotSessionGetOutputCount];
        SessionGetInputTypeInfo = (delegate* unmanaged[Cdecl]<nint, nuint, nint*, nint>)table[SlotSessionGetInputTypeInfo];
        SessionGetOutputTypeInfo = (delegate* unmanaged[Cdecl]<nint, nuint, nint*, nint>)table[SlotSessionGetOutputTypeInfo];
        SessionGetInputName = (delegate* unmanaged[Cdecl]<nint, nuint, nint, byte**, nint>)table[SlotSessionGetInputName];
        SessionGetOutputName = (delegate* unmanaged[Cdecl]<nint, nuint, nint, byte**, nint>)table[SlotSessionGetOutputName];
        CreateTensorWithDataAsOrtValue = (delegate* unmanaged[Cdecl]<nint, void*, nuint, long*, nuint, int, nint*, nint>)table[SlotCreateTensorWithDataAsOrtValue];
        GetTensorMutableData = (delegate* unmanaged[Cdecl]<nint, void**, nint>)table[SlotGetTensorMutableData];
        CastTypeInfoToTensorInfo = (delegate* unmanaged[Cdecl]<nint, nint*, nint>)table[SlotCastTypeInfoToTensorInfo];
        GetOnnxTypeFromTypeInfo = (delegate* unmanaged[Cdecl]<nint, int*, nint>)table[SlotGetOnnxTypeFromTypeInfo];
        GetTensorElementType = (delegate* unmanaged[Cdecl]<nint, int*, nint>)table[SlotGetTensorElementType];
        GetDimensionsCount = (delegate* unmanaged[Cdecl]<nint, nuint*, nint>)table[SlotGetDimensionsCount];
        GetDimensions = (delegate* unmanaged[Cdecl]<nint, long*, nuint, nint>)table[SlotGetDimensions];
        GetTensorTypeAndShape = (delegate* unmanaged[Cdecl]<nint, nint*, nint>)table[SlotGetTensorTypeAndShape];
        CreateCpuMemoryInfo = (delegate* unmanaged[Cdecl]<int, int, nint*, nint>)table[SlotCreateCpuMemoryInfo];
        AllocatorFree = (delegate* unmanaged[Cdecl]<nint, void*, nint>)table[SlotAllocatorFree];
        GetAllocatorWithDefaultOptions = (delegate* unmanaged[Cdecl]<nint*, nint>)table[SlotGetAllocatorWithDefaultOptions];
        ReleaseEnv = (delegate* unmanaged[Cdecl]<nint, void>)table[SlotReleaseEnv];
        ReleaseStatus = (delegate* unmanaged[Cdecl]<nint, void>)table[SlotReleaseStatus];
        ReleaseMemoryInfo = (delegate* unmanaged[Cdecl]<nint, void>)table[SlotReleaseMemoryInfo];
        ReleaseSession = (delegate* unmanaged[Cdecl]<nint, void>)table[SlotReleaseSession];
        ReleaseValue = (delegate* unmanaged[Cdecl]<nint, void>)table[SlotReleaseValue];
        ReleaseTypeInfo = (delegate* unmanaged[Cdecl]<nint, void>)table[SlotReleaseTypeInfo];
        ReleaseTensorTypeAndShapeInfo = (delegate* unmanaged[Cdecl]<nint, void>)table[SlotReleaseTensorTypeAndShapeInfo];
        ReleaseSessionOptions = (delegate* unmanaged[Cdecl]<nint, void>)table[SlotReleaseSessionOptions];
        AddSessionConfigEntry = (delegate* unmanaged[Cdecl]<nint, byte*, byte*, nint>)table[SlotAddSessionConfigEntry];
    }

    /// <summary>What <c>OrtApiBase.GetVersionString</c> reported, e.g. "1.22.0".</summary>
    public string VersionString { get; }

    /// <summary>Returns a new OrtStatus* (not a status of its own).</summary>
    public delegate* unmanaged[Cdecl]<int, byte*, nint> CreateStatus { get; }
    public delegate* unmanaged[Cdecl]<nint, int> GetErrorCode { get; }
    public delegate* unmanaged[Cdecl]<nint, byte*> GetErrorMessage { get; }
    public delegate* unmanaged[Cdecl]<int, byte*, nint*, nint> CreateEnv { get; }
    public delegate* unmanaged[Cdecl]<nint, byte*, nint, nint*, nint> CreateSession { get; }
    public delegate* unmanaged[Cdecl]<nint, void*, nuint, nint, nint*, nint> CreateSessionFromArray { get; }
    public delegate* unmanaged[Cdecl]<nint, nint, byte**, nint*, nuint, byte**, nuint, nint*, nint> Run { get; }
    public delegate* unmanaged[Cdecl]<nint*, nint> CreateSessionOptions { get; }
    public delegate* unmanaged[Cdecl]<nint, int, nint> SetSessionGraphOptimizationLevel { get; }
    public delegate* unmanaged[Cdecl]<nint, int, nint> SetIntraOpNumThreads { get; }
    public delegate* unmanaged[Cdecl]<nint, int, nint> SetInterOpNumThreads { get; }
    public delegate* unmanaged[Cdecl]<nint, nuint*, nint> SessionGetInputCount { get; }
    public delegate* unmanaged[Cdecl]<nint, nuint*, nint> SessionGetOutputCount { get; }
    public delegate* unmanaged[Cdecl]<nint, nuint, nint*, nint> SessionGetInputTypeInfo { get; }
    public delegate* unmanaged[Cdecl]<nint, nuint, nint*, nint> SessionGetOutputTypeInfo { get; }
    public delegate* unmanaged[Cdecl]<nint, nuint, nint, byte**, nint> SessionGetInputName { get; }
    public delegate* unmanaged[Cdecl]<nint, nuint, nint, byte**, nint> SessionGetOutputName { get; }
    public delegate* unmanaged[Cdecl]<nint, void*, nuint, long*, nuint, int, nint*, nint> CreateTensorWithDataAsOrtValue { get; }
    public delegate* unmanaged[Cdecl]<nint, void**, nint> GetTensorMutableData { get; }
    /// <summary>The tensor info returned belongs to the type info: never release it.</summary>
    public delegate* unmanaged[Cdecl]<nint, nint*, nint> CastTypeInfoToTensorInfo { get; }
    public delegate* unmanaged[Cdecl]<nint, int*, nint> GetOnnxTypeFromTypeInfo { get; }
    public delegate* unmanaged[Cdecl]<nint, int*, nint> GetTensorElementType { get; }
    public delegate* unmanaged[Cdecl]<nint, nuint*, nint> GetDimensionsCount { get; }
    public delegate* unmanaged[Cdecl]<nint, long*, nuint, nint> GetDimensions { get; }
    public delegate* unmanaged[Cdecl]<nint, nint*, nint> GetTensorTypeAndShape { get; }
    public delegate* unmanaged[Cdecl]<int, int, nint*, nint> CreateCpuMemoryInfo { get; }
    public delegate* unmanaged[Cdecl]<nint, void*, nint> AllocatorFree { get; }
    /// <summary>The default allocator is owned by ORT: never release it.</summary>
    public delegate* unmanaged[Cdecl]<nint*, nint> GetAllocatorWithDefaultOptions { get; }
    public delegate* unmanaged[Cdecl]<nint, void> ReleaseEnv { get; }
    public delegate* unmanaged[Cdecl]<nint, void> ReleaseStatus { get; }
    public delegate* unmanaged[Cdecl]<nint, void> ReleaseMemoryInfo { get; }
    public delegate* unmanaged[Cdecl]<nint, void> ReleaseSession { get; }
    public delegate* unmanaged[Cdecl]<nint, void> ReleaseValue { get; }
    public delegate* unmanaged[Cdecl]<nint, void> ReleaseTypeInfo { get; }
    public delegate* unmanaged[Cdecl]<nint, void> ReleaseTensorTypeAndShapeInfo { get; }
    public delegate* unmanaged[Cdecl]<nint, void> ReleaseSessionOptions { get; }
    public delegate* unmanaged[Cdecl]<nint, byte*, byte*, nint> AddSessionConfigEntry { get; }

    /// <summary>Turns a non-null OrtStatus* into an exception (releasing the status); null is success.</summary>
    public void Check(nint status)
    {
        if (status != 0)
        {
            throw ToException(status);
        }
    }

    /// <summary>Makes a status with ORT's own CreateStatus and reads it back: a check of the table's slots.</summary>
    public OnnxRuntimeException RoundTripStatus(OrtErrorCode code, string message)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(message + "\0");
        fixed (byte* p = bytes)
        {
            return ToException(CreateStatus((int)code, p));
        }
    }

    public OnnxRuntimeException ToException(nint status)
    {
        try
        {
            var code = (OrtErrorCode)GetErrorCode(status);
            var message = Marshal.PtrToStringUTF8((nint)GetErrorMessage(status)) ?? "";
            return new OnnxRuntimeException(code, message);
        }
        finally
        {
            ReleaseStatus(status);
        }
    }
}
