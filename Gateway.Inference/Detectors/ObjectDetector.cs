using Gateway.Inference.Models;
using Gateway.Inference.Postprocessing;
using Gateway.Inference.Preprocessing;
using Gateway.Inference.Runtime;

namespace Gateway.Inference.Detectors;

/// <summary>The per-frame pipeline: pre-process into the runner's pinned input, run, decode. Allocation-free in steady state.</summary>
internal sealed class ObjectDetector : IObjectDetector
{
    private readonly OnnxRunner _runner;
    private readonly FramePreprocessor _preprocessor;
    private readonly DetectionDecoder _decoder;
    private readonly int _outputIndex;

    public ObjectDetector(DetectionModel model)
    {
        Model = model;
        var m = model.Manifest;
        long[] shape = m.InputLayout == TensorLayout.Nchw ? [1, 3, m.InputHeight, m.InputWidth] : [1, m.InputHeight, m.InputWidth, 3];
        _runner = model.Session.CreateRunner([shape]);
        _preprocessor = new FramePreprocessor(m);
        _decoder = new DetectionDecoder(m);
        _outputIndex = model.Session.Outputs.Select((o, i) => (o, i)).First(p => p.o.Name == m.OutputName).i;
    }

    public DetectionModel Model { get; }

    internal OnnxRunner Runner => _runner;

    public ReadOnlySpan<Detection> Detect(ReadOnlySpan<byte> rgb24, int width, int height)
    {
        var transform = _preprocessor.Prepare(rgb24, width, height, _runner.Input(0));
        _runner.Run();
        return _decoder.Decode(_runner.Output(_outputIndex), _runner.OutputShape(_outputIndex), transform);
    }

    public void Dispose() => _runner.Dispose();
}
