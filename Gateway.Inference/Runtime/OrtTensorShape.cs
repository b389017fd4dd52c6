namespace Gateway.Inference.Runtime;

/// <summary>Reads an output OrtValue's float data and concrete shape without managed allocations.</summary>
internal static unsafe class OrtTensorShape
{
    public const int MaxRank = 8;

    public static ReadOnlySpan<float> Read(OrtApi api, nint value, TensorInfo declared, Span<long> dims, out int rank)
    {
        nint shapeInfo;
        api.Check(api.GetTensorTypeAndShape(value, &shapeInfo));
        try
        {
            int elementType;
            api.Check(api.GetTensorElementType(shapeInfo, &elementType));
            if ((TensorElementType)elementType != TensorElementType.Float)
            {
                throw new NotSupportedException($"output '{declared.Name}' is {(TensorElementType)elementType}; only float outputs are supported");
            }
            nuint count;
            api.Check(api.GetDimensionsCount(shapeInfo, &count));
            if ((int)count > dims.Length)
            {
                throw new NotSupportedException($"output '{declared.Name}' has rank {count}; at most {dims.Length} is supported");
            }
            fixed (long* d = dims)
            {
                api.Check(api.GetDimensions(shapeInfo, d, count));
            }
            rank = (int)count;
        }
        finally
        {
            api.ReleaseTensorTypeAndShapeInfo(shapeInfo);
        }
        long elements = 1;
        for (var i = 0; i < rank; i++)
        {
            elements *= dims[i];
        }
        void* data;
        api.Check(api.GetTensorMutableData(value, &data));
        return new ReadOnlySpan<float>(data, checked((int)elements));
    }
}
