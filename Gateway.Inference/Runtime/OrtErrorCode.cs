namespace Gateway.Inference.Runtime;

/// <summary>
/// ONNX Runtime's <c>OrtErrorCode</c> (onnxruntime_error_code.h, 1.31), as carried by
/// <see cref="OnnxRuntimeException"/>. Ours because the package keeps its enum internal (and
/// stale: it names 11 and 12 after codes ORT no longer has).
/// </summary>
public enum OrtErrorCode
{
    Ok = 0,
    Fail = 1,
    InvalidArgument = 2,
    NoSuchFile = 3,
    NoModel = 4,
    EngineError = 5,
    RuntimeException = 6,
    InvalidProtobuf = 7,
    ModelLoaded = 8,
    NotImplemented = 9,
    InvalidGraph = 10,
    ExecutionProviderFail = 11,
    ModelLoadCanceled = 12,
    ModelRequiresCompilation = 13,
    NotFound = 14,
    DeviceReset = 15,
}
